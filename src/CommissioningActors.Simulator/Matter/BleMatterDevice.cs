using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// The Matter side of one simulated BLE device: one <see cref="SimulatedMatterDevice"/> for the device's life,
/// whatever link or address reaches it (state survives reconnects and address rotation). Each BTP session is
/// one reliable link. After ConnectNetwork succeeds the device "joins the network": it starts listening on UDP
/// 127.0.0.1 (once, kept for its lifetime) and announces its operational identity for every fabric it holds.
/// </summary>
public sealed class BleMatterDevice : IAsyncDisposable
{
    private readonly Action<OperationalAnnouncement> _announce;
    private readonly Action<OperationalAnnouncement> _withdraw;
    private readonly Dictionary<byte, OperationalAnnouncement> _announced = [];
    private readonly Action<string> _log;
    private UdpMatterDeviceHost? _host;
    private int _openLinks;
    private int _networkJoins;

    /// <param name="withdraw">Called when an announced fabric goes (fail-safe revert, RemoveFabric); null = ignored.</param>
    public BleMatterDevice(SimulatedDevice radio, BleDeviceBehaviour behaviour, Action<OperationalAnnouncement> announce, Action<string>? log = null,
        Action<OperationalAnnouncement>? withdraw = null)
    {
        Radio = radio;
        Behaviour = behaviour;
        _announce = announce;
        _withdraw = withdraw ?? (_ => { });
        _log = log ?? (_ => { });
        Matter = new SimulatedMatterDevice(new SimulatedDeviceOptions
        {
            Passcode = radio.Passcode,
            Discriminator = radio.Discriminator,
            VendorId = radio.VendorId,
            ProductId = radio.ProductId,
            ProductName = radio.Name.Length <= 32 ? radio.Name : radio.Name[..32],
            SerialNumber = $"SIM-BLE-{radio.Discriminator:D4}",
            Network = behaviour.Network,
            OnNetwork = false,
            Fault = behaviour.Fault,
            Log = log,
        });
        Matter.State.NetworkConnected += OnNetworkConnected;
        Matter.State.FabricAdded += OnFabricAdded;
        Matter.State.FabricRemoved += OnFabricRemoved;
    }

    /// <summary>The BLE identity (advertisement, addresses) this device was made for.</summary>
    public SimulatedDevice Radio { get; }

    public BleDeviceBehaviour Behaviour { get; }

    public SimulatedMatterDevice Matter { get; }

    /// <summary>Where the device listens on the network; null until its first successful ConnectNetwork.</summary>
    public IPEndPoint? OperationalEndPoint => Volatile.Read(ref _host)?.EndPoint;

    /// <summary>How many times ConnectNetwork succeeded.</summary>
    public int NetworkJoins => Volatile.Read(ref _networkJoins);

    public int OpenLinks => Volatile.Read(ref _openLinks);

    /// <summary>
    /// Off the network the device has no UDP host ticking it: it needs ticks (fail-safe timer) while a link is
    /// open or its fail-safe is armed.
    /// </summary>
    internal bool NeedsTick => Volatile.Read(ref _host) is null && (OpenLinks > 0 || Matter.Inspect(s => s.FailSafe.IsArmed));

    /// <summary>A new BTP session of this device: one reliable link to the same Matter device.</summary>
    public IMatterDeviceLink OpenLink(MatterDeviceSend send)
    {
        Interlocked.Increment(ref _openLinks);
        return new BtpDeviceLink(this, send);
    }

    internal void LinkClosed() => Interlocked.Decrement(ref _openLinks);

    // Under the device's lock, while ConnectNetwork is handled: the response has not left yet, so the device is
    // reachable (and announced) before the commissioner can look for it.
    private void OnNetworkConnected()
    {
        Interlocked.Increment(ref _networkJoins);
        if (_host is null)
        {
            try
            {
                Volatile.Write(ref _host, UdpMatterDeviceHost.Start(Matter, Behaviour.OperationalPort));
            }
            catch (SocketException e)
            {
                _log($"device '{Radio.Name}' could not listen on udp 127.0.0.1:{Behaviour.OperationalPort}: {e.SocketErrorCode}");
                return;
            }

            _log($"device '{Radio.Name}' joined the network: udp {_host!.EndPoint}");
        }

        foreach (var fabric in Matter.State.Fabrics)
        {
            Announce(fabric);
        }
    }

    // A fabric added while already on the network (another admin over CASE, a second commissioning) is announced too.
    private void OnFabricAdded(DeviceFabric fabric)
    {
        if (_host is not null)
        {
            Announce(fabric);
        }
    }

    private void Announce(DeviceFabric fabric)
    {
        if (_host is not { } host)
        {
            return;
        }

        var announcement = new OperationalAnnouncement(Radio.Name, BinaryPrimitives.ReadUInt64BigEndian(fabric.CompressedFabricId), fabric.NodeId, host.EndPoint);
        _announced[fabric.Index] = announcement;
        Notify(_announce, announcement, "announcement");
    }

    // Under the device's lock, like the other state events: a reverted or removed fabric is no longer reachable.
    private void OnFabricRemoved(byte index)
    {
        if (_announced.Remove(index, out var announcement))
        {
            Notify(_withdraw, announcement, "withdrawal");
        }
    }

    private void Notify(Action<OperationalAnnouncement> listener, OperationalAnnouncement announcement, string what)
    {
        try
        {
            listener(announcement);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failing listener must not fail the command being answered.
            _log($"operational {what} of '{Radio.Name}' failed: {e.GetType().Name}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _host, null) is { } host)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }

        Matter.Dispose();
    }

    public override string ToString() => $"BleMatterDevice('{Radio.Name}', {Matter.Options})";
}
