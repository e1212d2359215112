using System.Net;
using System.Net.WebSockets;
using CommissioningActors.Host.Hosting;
using CommissioningActors.Host.Security;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Security;

public sealed class TokenRuleTests
{
    private const string Token = "correct-horse-battery-staple";

    [Theory]
    [InlineData("--urls", "http://0.0.0.0:0")]
    [InlineData("--urls", "http://127.0.0.1:0;http://[::]:0")]
    [InlineData("--Kestrel:Endpoints:Http:Url=http://0.0.0.0:0")]
    [InlineData("--Kestrel:Endpoints:Local:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Any:Url=http://*:0")]
    [InlineData("--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0", "--urls", "http://0.0.0.0:0", "--preferHostingUrls=true")]
    [InlineData("--urls=", "--http_ports=0")]
    public async Task The_host_refuses_to_start_off_loopback_without_a_token_however_the_address_is_configured(params string[] args)
    {
        // Refused before any hosted service starts, so nothing is ever bound beyond loopback.
        var storage = TestHost.NewStorageDirectory();
        var app = CommissioningHost.Build([.. args, "--Simulator:Enabled=false", "--Serilog:MinimumLevel:Default=Warning", $"--Storage:Directory={storage}"], TestHost.LoopbackMatter);
        try
        {
            var refused = await Assert.ThrowsAsync<BindRefusedException>(() => app.StartAsync());
            Assert.Contains("Server:Token", refused.Message);
        }
        finally
        {
            await app.DisposeAsync();
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task Kestrel_endpoints_on_loopback_start_and_with_a_token_serve_the_sockets()
    {
        await using var host = await TestHost.StartAsync("--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0", $"--Server:Token={Token}");
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(host.Http.Host)));
        await using var client = await RawClient.ConnectAsync(host.Ws, bearer: Token);
        Assert.Equal("server_info", (string?)(await client.ReceiveJsonAsync())["event"]);
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
