using Akka.Configuration;
using CommissioningActors.Core.Connections;

namespace CommissioningActors.Core.Tests.Connections;

public sealed class ConnectionSettingsTests
{
    [Fact]
    public void The_shipped_hocon_holds_the_defaults_btp_timers_included()
    {
        var shipped = ShippedHocon.Load("commissioning.hocon");

        var settings = ConnectionSettings.FromConfig(shipped);

        Assert.False(shipped.GetConfig("commissioning.connection.btp").IsEmpty);
        Assert.Equal(ConnectionSettings.Default, settings);
        Assert.Equal(ConnectionSettings.Default.Btp, settings.Btp);
    }

    [Fact]
    public void A_missing_section_gives_the_defaults() =>
        Assert.Equal(ConnectionSettings.Default, ConnectionSettings.FromConfig(ConfigurationFactory.Empty));

    [Fact]
    public void Btp_keys_are_read_and_the_rest_keep_their_defaults()
    {
        var settings = ConnectionSettings.FromConfig(ConfigurationFactory.ParseString("""
            commissioning.connection {
              btp-window-size = 255
              btp { ack-timeout = 20s, send-ack-delay = 2500ms, idle-timeout = 45s, max-queued-messages = 4 }
            }
            """));

        Assert.Equal(255, settings.BtpWindowSize);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.Btp.AckTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), settings.Btp.SendAckDelay);
        Assert.Equal(TimeSpan.FromSeconds(45), settings.Btp.IdleTimeout);
        Assert.Equal(4, settings.Btp.MaxQueuedMessages);
        Assert.Equal(ConnectionSettings.Default.Btp.MaxMessageSize, settings.Btp.MaxMessageSize);
        Assert.Equal(ConnectionSettings.Default.ConnectTimeout, settings.ConnectTimeout);
        Assert.Equal(ConnectionSettings.Default.RequestedMtu, settings.RequestedMtu);
    }

    [Fact]
    public void A_partial_btp_section_keeps_the_other_btp_defaults()
    {
        var settings = ConnectionSettings.FromConfig(ConfigurationFactory.ParseString("commissioning.connection.btp.idle-timeout = 2m"));

        Assert.Equal(ConnectionSettings.Default.Btp with { IdleTimeout = TimeSpan.FromMinutes(2) }, settings.Btp);
    }

    [Theory]
    [InlineData("btp.ack-timeout = 0s", "btp.ack-timeout")]
    [InlineData("btp.ack-timeout = -5s", "btp.ack-timeout")]
    [InlineData("btp.ack-timeout = 10s", "btp.ack-timeout")] // shorter than a conforming device may take
    [InlineData("btp.ack-timeout = 61s", "btp.ack-timeout")]
    [InlineData("btp.ack-timeout = infinite", "btp.ack-timeout")]
    [InlineData("btp.ack-timeout = ten", "btp.ack-timeout")] // does not parse
    [InlineData("btp.send-ack-delay = 0s", "btp.send-ack-delay")]
    [InlineData("btp.send-ack-delay = 6s", "btp.send-ack-delay")] // too close to the device's 15 s ack timeout
    [InlineData("btp.idle-timeout = 0s", "btp.idle-timeout")]
    [InlineData("btp.idle-timeout = 29s", "btp.idle-timeout")]
    [InlineData("btp.idle-timeout = 11m", "btp.idle-timeout")]
    [InlineData("btp.idle-timeout = infinite", "btp.idle-timeout")]
    [InlineData("btp.max-queued-messages = 0", "btp.max-queued-messages")]
    [InlineData("btp.max-queued-messages = 257", "btp.max-queued-messages")]
    [InlineData("btp.max-queued-messages = many", "btp.max-queued-messages")]
    [InlineData("btp-window-size = 0", "btp-window-size")]
    [InlineData("btp-window-size = 256", "btp-window-size")] // would wrap to 0 in the handshake byte
    [InlineData("requested-mtu = 22", "requested-mtu")]
    [InlineData("connect-timeout = 0s", "connect-timeout")]
    [InlineData("btp-handshake-timeout = 0s", "btp-handshake-timeout")]
    public void A_bad_value_is_refused_with_its_full_key_named(string line, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            ConnectionSettings.FromConfig(ConfigurationFactory.ParseString($"commissioning.connection {{ {line} }}")));

        Assert.StartsWith($"commissioning.connection.{key}: ", error.Message);
    }

    [Theory]
    [InlineData("btp.ack-timeout = 15s")]
    [InlineData("btp.ack-timeout = 60s")]
    [InlineData("btp.send-ack-delay = 5s")]
    [InlineData("btp.send-ack-delay = 1ms")]
    [InlineData("btp.idle-timeout = 30s")]
    [InlineData("btp.idle-timeout = 10m")]
    [InlineData("btp.max-queued-messages = 1")]
    [InlineData("btp.max-queued-messages = 256")]
    [InlineData("btp-window-size = 1")]
    public void The_bounds_themselves_are_accepted(string line) =>
        ConnectionSettings.FromConfig(ConfigurationFactory.ParseString($"commissioning.connection {{ {line} }}"));
}
