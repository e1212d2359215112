using Akka.Configuration;
using CommissioningActors.Host.Hosting;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Operations;

/// <summary>`commissioning.connection.btp` as the real host reads it at start.</summary>
public sealed class BtpSettingsStartupTests
{
    [Theory]
    [InlineData("commissioning.connection.btp.ack-timeout = 5s", "commissioning.connection.btp.ack-timeout")]
    [InlineData("commissioning.connection.btp { idle-timeout = soon }", "commissioning.connection.btp.idle-timeout")]
    public async Task A_bad_btp_value_stops_startup_with_the_key_named(string hocon, string key)
    {
        var storage = TestHost.NewStorageDirectory();
        var app = CommissioningHost.Build(
            ["--urls", "http://127.0.0.1:0", "--Simulator:Enabled=false", "--Serilog:MinimumLevel:Default=Warning", $"--Storage:Directory={storage}"],
            $"{TestHost.LoopbackMatter}\n{hocon}");
        try
        {
            var refused = await Assert.ThrowsAsync<ConfigurationException>(() => app.StartAsync());
            Assert.StartsWith($"{key}: ", refused.Message);
        }
        finally
        {
            await app.DisposeAsync();
            Directory.Delete(storage, recursive: true);
        }
    }
}
