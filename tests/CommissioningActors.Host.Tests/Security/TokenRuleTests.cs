using System.Net;
using System.Net.WebSockets;
using CommissioningActors.Host.Hosting;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Security;

public sealed class TokenRuleTests
{
    private const string Token = "correct-horse-battery-staple";

    [Fact]
    public void The_host_refuses_to_start_off_loopback_without_a_token()
    {
        // Building is where the rule is enforced: nothing is ever bound to a non-loopback address here.
        var refused = Assert.Throws<InvalidOperationException>(() =>
            CommissioningHost.Build(["--urls", "http://0.0.0.0:0", "--Simulator:Enabled=false"]));
        Assert.Contains("token", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/ble")]
    [InlineData("/ws")]
    public async Task A_missing_or_wrong_token_gets_401_before_the_upgrade(string path)
    {
        await using var host = await TestHost.StartAsync($"--Server:Token={Token}");
        var url = new UriBuilder(host.Http) { Scheme = "ws", Path = path }.Uri;

        foreach (var bearer in new[] { null, "wrong-token" })
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            if (bearer is not null)
            {
                socket.Options.SetRequestHeader("Authorization", $"Bearer {bearer}");
            }

            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(url, CancellationToken.None));
            Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        }

        using var http = new HttpClient();
        var plain = await http.GetAsync(new UriBuilder(host.Http) { Path = path, Query = "token=nope" }.Uri);
        Assert.Equal(HttpStatusCode.Unauthorized, plain.StatusCode);
    }

    [Fact]
    public async Task The_right_token_is_accepted_as_bearer_header_or_query_parameter()
    {
        await using var host = await TestHost.StartAsync($"--Server:Token={Token}");

        await using (var viaHeader = await RawClient.ConnectAsync(host.Ws, bearer: Token))
        {
            var info = await viaHeader.ReceiveJsonAsync();
            Assert.Equal("server_info", (string?)info["event"]);
        }

        var withQuery = new UriBuilder(host.Ble) { Query = $"token={Token}" }.Uri;
        await using var viaQuery = await RawClient.ConnectAsync(withQuery);
        await viaQuery.SendTextAsync("""{"type":"hello","version":1}""");
        var hello = await viaQuery.ReceiveJsonAsync();
        Assert.Equal("hello_response", (string?)hello["type"]);
    }

    [Fact]
    public async Task Healthz_needs_no_token()
    {
        await using var host = await TestHost.StartAsync($"--Server:Token={Token}");
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri(host.Http, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
