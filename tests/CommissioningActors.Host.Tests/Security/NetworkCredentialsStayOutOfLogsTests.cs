using System.Text.Json.Nodes;
using Akka.Actor;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Storage;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.Security;

public sealed class NetworkCredentialsStayOutOfLogsTests
{
    private const string Password = "wifi-secret-7c1e93";
    private const string NetworkKey = "5a3c9e71d04b8f26aa17c3e95b08d4f1";

    // A Thread operational dataset: channel (0x00), PAN id (0x01), network key (0x05), network name (0x03).
    private const string Dataset = "000300000f" + "0102abcd" + "0510" + NetworkKey + "03046d657368";

    [Fact]
    public async Task Wifi_password_and_thread_dataset_are_stored_answered_with_empty_results_and_never_logged_at_verbose()
    {
        var sink = new CapturingSink();
        string[] secrets = [Password, NetworkKey, Dataset, "BadPass-9d2f" + new string('x', 60), "zz" + NetworkKey];
        await using (var host = await TestHost.StartWithSinkAsync(sink, "akka.loglevel = DEBUG",
                         "--Serilog:MinimumLevel:Default=Verbose",
                         "--Serilog:MinimumLevel:Override:Microsoft.AspNetCore=Verbose",
                         "--Serilog:MinimumLevel:Override:Microsoft=Verbose"))
        {
            await using var client = await host.ConnectControllerAsync();
            var wifi = await client.CommandAsync("w", "set_wifi_credentials", new JsonObject { ["ssid"] = "home", ["credentials"] = Password });
            Assert.Equal("{}", wifi["result"]!.ToJsonString());
            var thread = await client.CommandAsync("t", "set_thread_dataset", new JsonObject { ["dataset"] = Dataset });
            Assert.Equal("{}", thread["result"]!.ToJsonString());

            // Refused ones: the error says what is wrong, never the value.
            var tooLong = await client.CommandAsync("w2", "set_wifi_credentials", new JsonObject { ["ssid"] = "home", ["credentials"] = secrets[3] });
            Assert.Equal(ControllerErrorCodes.InvalidArgs, (string?)tooLong["error_code"]);
            var notHex = await client.CommandAsync("t2", "set_thread_dataset", new JsonObject { ["dataset"] = secrets[4] });
            Assert.Equal(ControllerErrorCodes.InvalidArgs, (string?)notHex["error_code"]);
            foreach (var reply in new[] { wifi, thread, tooLong, notHex })
            {
                Assert.DoesNotContain("9d2f", reply.ToJsonString());
                Assert.DoesNotContain(NetworkKey, reply.ToJsonString());
                Assert.DoesNotContain(Password, reply.ToJsonString());
            }

            // Stored, as BLE commissioning will hand them to devices.
            var fabric = await host.ActorAsync<FabricActor>();
            var stored = (NetworkCredentialsFound)await fabric.Ask(new GetNetworkCredentials(NetworkKind.WiFi), TimeSpan.FromSeconds(10));
            Assert.Equal("home", stored.Credentials!.Ssid);
            Assert.Equal(Password, System.Text.Encoding.UTF8.GetString(stored.Credentials.Secret));
            var dataset = (NetworkCredentialsFound)await fabric.Ask(new GetNetworkCredentials(NetworkKind.Thread), TimeSpan.FromSeconds(10));
            Assert.Equal(Dataset, Convert.ToHexStringLower(dataset.Credentials!.Secret));
        }

        var events = sink.Events;
        var logged = string.Join('\n', events.Select(CapturingSink.Text));
        Assert.Contains(events, e => e.Level == Serilog.Events.LogEventLevel.Verbose); // the capture saw everything
        Assert.Contains("Fabric", logged);
        foreach (var secret in secrets.Append("9d2f"))
        {
            Assert.DoesNotContain(secret, logged, StringComparison.OrdinalIgnoreCase);
        }
    }
}
