using System.Net.WebSockets;
using Akka.Actor;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Security;

public sealed class MessageSizeLimitTests
{
    [Fact]
    public async Task An_oversized_message_closes_only_that_peer_with_1009()
    {
        await using var host = await TestHost.StartAsync("--Server:MaxMessageBytes=1024");
        await using var bystander = await RawClient.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=bystander" }.Uri);
        await bystander.SendTextAsync("""{"type":"hello","version":1}""");
        Assert.Equal("hello_response", (string?)(await bystander.ReceiveJsonAsync())["type"]);

        await using var offender = await RawClient.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=offender" }.Uri);
        await offender.SendTextAsync("""{"type":"hello","version":1}""");
        await offender.ReceiveJsonAsync();
        await offender.SendTextAsync("""{"event":"scan_stopped","data":{"reason":" """ + new string('x', 2000) + "\"}}");

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await offender.ReceiveCloseAsync());

        // The bystander's session is untouched: still connected, still ready.
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        var list = await Eventually.GetAsync(
            () => proxies.Ask<ProxyList>(GetProxies.Instance),
            l => l.Proxies.Count == 1, what: "only the bystander remains");
        Assert.Equal("bystander", list.Proxies[0].Name);
        Assert.True(list.Proxies[0].Ready);
        Assert.Equal(WebSocketState.Open, bystander.Socket.State);
    }

    [Fact]
    public async Task A_message_at_the_limit_is_accepted()
    {
        await using var host = await TestHost.StartAsync("--Server:MaxMessageBytes=1024");
        await using var client = await RawClient.ConnectAsync(host.Ws);
        await client.ReceiveJsonAsync(); // server_info
        var padding = new string(' ', 1024 - """{"message_id":"1","command":"server_info"}""".Length);
        await client.SendTextAsync("""{"message_id":"1","command":"server_info"}""" + padding);
        var reply = await client.ReceiveJsonAsync();
        Assert.Equal("1", (string?)reply["message_id"]);
        Assert.NotNull(reply["result"]);
    }
}
