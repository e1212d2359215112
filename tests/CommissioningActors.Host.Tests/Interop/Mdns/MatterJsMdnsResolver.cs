using System.Net;
using System.Text.Json;

namespace CommissioningActors.Host.Tests.Interop.Mdns;

/// <summary>
/// matter.js's own operational resolver (mdns-resolve.mjs) inside a <see cref="NetworkNamespace"/>: it looks up one
/// `&lt;compressed fabric id&gt;-&lt;node id&gt;` by mDNS as matter.js's controller does before CASE, and reports every
/// address it learns ("add") or forgets ("delete"). Disposing stops it.
/// </summary>
public sealed class MatterJsMdnsResolver : IAsyncDisposable
{
    private readonly JsonLineProcess _process;

    private MatterJsMdnsResolver(JsonLineProcess process, JsonElement ready)
    {
        _process = process;
        Name = ready.GetProperty("name").GetString()!;
    }

    /// <summary>The DNS-SD name matter.js built for the node.</summary>
    public string Name { get; }

    public JsonLineProcess Process => _process;

    /// <summary>Starts resolving and returns once matter.js's mDNS socket is open and the first query is due.</summary>
    public static async Task<MatterJsMdnsResolver> StartAsync(NetworkNamespace network, ulong compressedFabricId, ulong nodeId)
    {
        string[] args = ["--fabric", $"0x{compressedFabricId:X}", "--node", $"0x{nodeId:X}"];
        var process = new JsonLineProcess(MatterJsFixture.Instance.StartScript("mdns-resolve.mjs", args, network), "matter.js mDNS resolver");
        try
        {
            var ready = await process.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
            Assert.True(ready.GetProperty("mdnsIpv4").GetBoolean(), "the namespace's lo is the only interface, so IPv4 mDNS is on");
            return new MatterJsMdnsResolver(process, ready);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next address change of <paramref name="kind"/> ("add" or "delete") at or after event index <paramref name="after"/>.</summary>
    public async Task<IPEndPoint> WaitForAddressAsync(string kind, TimeSpan timeout, int after = 0)
    {
        var change = await _process.WaitForEventAsync("address", timeout, after, e => e.GetProperty("kind").GetString() == kind);
        return new IPEndPoint(IPAddress.Parse(change.GetProperty("ip").GetString()!), change.GetProperty("port").GetInt32());
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
