namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// One BTP session of a <see cref="BleMatterDevice"/>: whole messages in to the Matter device, its answers out
/// through the session in order (a chain of sends, never under the device's lock). Reliable: no MRP.
/// </summary>
internal sealed class BtpDeviceLink(BleMatterDevice owner, MatterDeviceSend send) : IMatterDeviceLink, IMatterDeviceTransport
{
    private readonly object _sync = new();
    private Task _sending = Task.CompletedTask;
    private Func<string, Task>? _drop;
    private bool _closed;

    public bool IsReliable => true;

    public void OnAttached(Func<string, Task> drop) => _drop = drop;

    public void OnMessage(ReadOnlyMemory<byte> message)
    {
        var joinsBefore = owner.NetworkJoins;
        owner.Matter.Receive(this, message);
        if (owner.Behaviour.AfterNetwork == BleAfterNetwork.Drop && owner.NetworkJoins > joinsBefore && _drop is { } drop)
        {
            // After the ConnectNetwork response has been handed to BTP: the radio switches networks.
            Task sent;
            lock (_sync)
            {
                sent = _sending;
            }

            _ = sent.ContinueWith(_ => drop("device switched to its operational network"), TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>Called under the device's lock: queue the send, never block or call back.</summary>
    public void Send(ReadOnlyMemory<byte> message)
    {
        var copy = message.ToArray();
        lock (_sync)
        {
            if (_closed)
            {
                return;
            }

            _sending = _sending.ContinueWith(_ => send(copy), TaskScheduler.Default).Unwrap();
        }
    }

    public void OnClosed(string reason)
    {
        lock (_sync)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        owner.Matter.Forget(this);
        owner.LinkClosed();
    }

    public override string ToString() => $"btp link of '{owner.Radio.Name}'";
}
