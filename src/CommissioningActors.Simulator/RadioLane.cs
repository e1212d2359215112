namespace CommissioningActors.Simulator;

/// <summary>
/// One direction of a link's air: packets are delivered one at a time, in order, each after its own drawn
/// latency (an ATT write or indication waits for the previous one's confirmation). The caller never waits, so a
/// slow link holds up neither the proxy's socket nor the other links.
/// </summary>
internal sealed class RadioLane(Func<TimeSpan> latency, Action<string> log)
{
    private readonly object _sync = new();
    private Task _tail = Task.CompletedTask;

    public void Send(Func<Task> deliver)
    {
        lock (_sync)
        {
            _tail = AfterAsync(_tail, deliver);
        }
    }

    private async Task AfterAsync(Task previous, Func<Task> deliver)
    {
        // previous never faults: every delivery's failure is caught below.
        await previous.ConfigureAwait(false);
        try
        {
            await Task.Delay(latency()).ConfigureAwait(false);
            await deliver().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log($"radio delivery failed: {e.GetType().Name}");
        }
    }
}
