namespace CommissioningActors.Host.Tests.Support;

/// <summary>Polls an async condition until it holds or the deadline passes (for state reached over real sockets).</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? within = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not reached in time: {what ?? "(unnamed)"}; last value: {value}");
            }

            await Task.Delay(20);
        }
    }
}
