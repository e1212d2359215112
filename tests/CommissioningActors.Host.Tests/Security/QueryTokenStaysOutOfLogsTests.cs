using System.Net;
using System.Net.WebSockets;
using CommissioningActors.Host.Hosting;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Security;

public sealed class QueryTokenStaysOutOfLogsTests
{
    private const string Right = "right-7f3a9c0d";
    private const string Wrong = "wrong-51b2e0aa";

    [Fact]
    public async Task Right_and_wrong_query_tokens_never_reach_any_log_even_with_AspNetCore_at_verbose()
    {
        var sink = new CapturingSink();
        await using (var host = await TestHost.StartWithSinkAsync(sink, "akka.loglevel = DEBUG",
                         $"--Server:Token={Right}",
                         "--Serilog:MinimumLevel:Default=Verbose",
                         "--Serilog:MinimumLevel:Override:Microsoft.AspNetCore=Verbose",
                         "--Serilog:MinimumLevel:Override:Microsoft=Verbose"))
        {
            await using (var ok = await RawClient.ConnectAsync(With(host.Ws, $"token={Right}")))
            {
                Assert.Equal("server_info", (string?)(await ok.ReceiveJsonAsync())["event"]);
            }

            // The same check accepts a percent-encoded parameter name: the log must not show it either.
            await using (var encoded = await RawClient.ConnectAsync(With(host.Ble, $"name=sim&%74oken={Right}")))
            {
                await encoded.SendTextAsync("""{"type":"hello","version":1}""");
                Assert.Equal("hello_response", (string?)(await encoded.ReceiveJsonAsync())["type"]);
            }

            foreach (var query in new[] { $"token={Wrong}", $"TOKEN={Wrong}&name=x", $"a=1&token={Wrong}#frag" })
            {
                using var refused = new ClientWebSocket();
                refused.Options.CollectHttpResponseDetails = true;
                await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(With(host.Ws, query), CancellationToken.None));
                Assert.Equal(HttpStatusCode.Unauthorized, refused.HttpStatusCode);
            }

            // A malformed request line: Kestrel's bad-request report quotes the line it could not parse.
            using (var tcp = new System.Net.Sockets.TcpClient())
            {
                await tcp.ConnectAsync(host.Http.Host, host.Http.Port);
                var stream = tcp.GetStream();
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /ws?token={Wrong}\u0001 HTTP/1.1\r\nHost: x\r\n\r\n"));
                var reply = new byte[1024];
                Assert.True(await stream.ReadAsync(reply) > 0);
            }

            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(With(new Uri(host.Http, "/healthz"), $"token={Wrong}"))).StatusCode);
        }

        var events = sink.Events;
        var logged = string.Join('\n', events.Select(CapturingSink.Text));
        // The capture really saw the requests, at the levels that log the query.
        Assert.Contains(events, e => e.MessageTemplate.Text.StartsWith("Request starting", StringComparison.Ordinal)
            && e.RenderMessage().Contains("token=" + QueryTokenRedactor.Mask, StringComparison.Ordinal));
        Assert.Contains(events, e => e.Level == Serilog.Events.LogEventLevel.Verbose);
        Assert.DoesNotContain(Right, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, logged, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?token=abc", "?token=***")]
    [InlineData("?name=kitchen&Token=abc&x=1", "?name=kitchen&Token=***&x=1")]
    [InlineData("http://h/ws?%74oken=abc#f", "http://h/ws?%74oken=***#f")]
    [InlineData("token=abc", "token=***")]
    [InlineData("?tokens=abc&mytoken=def", "?tokens=abc&mytoken=def")]
    [InlineData("no query here", "no query here")]
    public void Only_the_token_parameter_is_masked(string text, string expected) =>
        Assert.Equal(expected, QueryTokenRedactor.Redact(text));

    private static Uri With(Uri url, string query) => new UriBuilder(url) { Query = query }.Uri;
}
