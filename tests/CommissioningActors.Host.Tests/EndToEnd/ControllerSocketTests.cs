using Akka.Actor;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Simulator;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.EndToEnd;

public sealed class ControllerSocketTests
{
    [Fact]
    public async Task Server_info_arrives_on_connect_and_lists_connected_proxies()
    {
        await using var host = await TestHost.StartAsync();
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim" }.Uri, new SimulatorOptions());
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        await Eventually.GetAsync(() => proxies.Ask<ProxyList>(GetProxies.Instance), l => l.Proxies.Any(p => p.Ready), what: "proxy ready");

        await using var client = await RawClient.ConnectAsync(host.Ws);
        var info = await client.ReceiveJsonAsync();
        Assert.Equal("server_info", (string?)info["event"]);
        Assert.Equal(1, (int)info["data"]!["protocol_versions"]!["ble_proxy"]!);
        var listed = info["data"]!["proxies"]!.AsArray();
        Assert.Equal("sim", (string?)Assert.Single(listed)!["name"]);
    }

    [Theory]
    [InlineData("{not json", null, "invalid_command")]
    [InlineData("[1,2,3]", null, "invalid_command")]
    [InlineData("""{"command":"server_info"}""", null, "invalid_command")]
    [InlineData("""{"message_id":"m1","command":42}""", "m1", "invalid_command")]
    [InlineData("""{"message_id":"m2","command":"launch_rockets"}""", "m2", "invalid_command")]
    [InlineData("""{"message_id":"m3","command":"server_info","args":"yes"}""", "m3", "invalid_args")]
    [InlineData("""{"message_id":"m4","message_id":"m5","command":"server_info"}""", null, "invalid_command")]
    [InlineData("""{"message_id":"m6","command":"get_job","args":{"job_id":"a","job_id":"b"}}""", "m6", "invalid_args")]
    public async Task Bad_input_gets_a_structured_error_and_the_connection_stays_up(string frame, string? messageId, string errorCode)
    {
        await using var host = await TestHost.StartAsync();
        await using var client = await RawClient.ConnectAsync(host.Ws);
        await client.ReceiveJsonAsync(); // server_info

        await client.SendTextAsync(frame);
        var error = await client.ReceiveJsonAsync();
        Assert.Equal(errorCode, (string?)error["error_code"]);
        Assert.Equal(messageId, (string?)error["message_id"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["details"]));

        await client.SendTextAsync(ControllerCodec.Command("after", "server_info"));
        var reply = await client.ReceiveJsonAsync();
        Assert.Equal("after", (string?)reply["message_id"]);
        Assert.NotNull(reply["result"]);
    }

    [Fact]
    public async Task Every_controller_session_actor_is_gone_when_its_client_leaves()
    {
        await using var host = await TestHost.StartAsync();
        var hub = await host.ActorAsync<ControllerHubActor>();
        var clients = new List<RawClient>();
        for (var i = 0; i < 3; i++)
        {
            var c = await RawClient.ConnectAsync(host.Ws);
            await c.ReceiveJsonAsync();
            clients.Add(c);
        }

        Assert.Equal(3, (await hub.Ask<ControllerSessionCount>(GetControllerSessionCount.Instance)).Count);
        clients[0].Socket.Abort(); // an abrupt drop, not a polite close
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }

        await Eventually.GetAsync(() => hub.Ask<ControllerSessionCount>(GetControllerSessionCount.Instance), c => c.Count == 0,
            what: "no controller session left");
    }

    [Fact]
    public async Task A_proxy_session_actor_is_gone_when_its_proxy_leaves()
    {
        await using var host = await TestHost.StartAsync();
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        var proxy = await SimulatedProxy.ConnectAsync(host.Ble, new SimulatorOptions());
        var list = await Eventually.GetAsync(() => proxies.Ask<ProxyList>(GetProxies.Instance), l => l.Proxies.Count == 1, what: "one proxy");
        var session = list.Proxies[0].Session;

        await proxy.DisposeAsync();

        await Eventually.GetAsync(() => proxies.Ask<ProxyList>(GetProxies.Instance), l => l.Proxies.Count == 0, what: "no proxy");
        var identity = await session.Ask<ActorIdentity>(new Identify("alive?"), TimeSpan.FromSeconds(3));
        Assert.Null(identity.Subject);
    }
}
