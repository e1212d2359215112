using Akka.Configuration;
using CommissioningActors.Core.Configuration;
using CommissioningActors.Protocol.Matter.Btp;
using static CommissioningActors.Core.Configuration.HoconSettings;

namespace CommissioningActors.Core.Connections;

/// <summary>Timeouts and sizes for one BLE connection, from HOCON `commissioning.connection`.</summary>
public sealed record ConnectionSettings(TimeSpan ConnectTimeout, TimeSpan BtpHandshakeTimeout, int RequestedMtu, byte BtpWindowSize)
{
    public static ConnectionSettings Default { get; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), 247, 6);

    /// <summary>BTP timers and queue bound (`commissioning.connection.btp`); the window and handshake timeout above take precedence.</summary>
    public BtpSessionOptions Btp { get; init; } = new();

    /// <summary>BTP_ACK_TIMEOUT (Matter Core 4.19.4): how long a conforming peer may take to acknowledge a packet.</summary>
    public static readonly TimeSpan SpecAckTimeout = TimeSpan.FromSeconds(15);

    /// <summary>BTP_CONN_IDLE_TIMEOUT: the spec's idle close for the central.</summary>
    public static readonly TimeSpan SpecIdleTimeout = TimeSpan.FromSeconds(30);

    private const string Path = "commissioning.connection";
    private const string BtpPath = Path + ".btp";

    // Bounds on what an operator may set; see hocon/commissioning.hocon for why each exists.
    private static readonly TimeSpan MaxAckTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxSendAckDelay = SpecAckTimeout / 3;
    private static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromMinutes(10);
    private const int MaxQueuedMessagesLimit = 256;

    public static ConnectionSettings FromConfig(Config config) =>
        HoconSettings.Read(config, Path, Default, c => Checked(new ConnectionSettings(
            Duration(c, Path, "connect-timeout", Default.ConnectTimeout),
            Duration(c, Path, "btp-handshake-timeout", Default.BtpHandshakeTimeout),
            Int(c, Path, "requested-mtu", Default.RequestedMtu),
            Window(Int(c, Path, "btp-window-size", Default.BtpWindowSize)))
        {
            Btp = ReadBtp(c.GetConfig("btp")),
        }));

    private static BtpSessionOptions ReadBtp(Config? btp)
    {
        var defaults = Default.Btp;
        if (btp is null || btp.IsEmpty)
        {
            return defaults;
        }

        return defaults with
        {
            AckTimeout = Duration(btp, BtpPath, "ack-timeout", defaults.AckTimeout),
            SendAckDelay = Duration(btp, BtpPath, "send-ack-delay", defaults.SendAckDelay),
            IdleTimeout = Duration(btp, BtpPath, "idle-timeout", defaults.IdleTimeout!.Value),
            MaxQueuedMessages = Int(btp, BtpPath, "max-queued-messages", defaults.MaxQueuedMessages),
        };
    }

    private static TimeSpan Duration(Config c, string section, string key, TimeSpan fallback) =>
        Value($"{section}.{key}", () => c.GetTimeSpan(key, fallback));

    private static int Int(Config c, string section, string key, int fallback) =>
        Value($"{section}.{key}", () => c.GetInt(key, fallback));

    private static byte Window(int window)
    {
        Require(window is >= 1 and <= byte.MaxValue, $"{Path}.btp-window-size", $"must be 1..{byte.MaxValue} (got {window})");
        return (byte)window;
    }

    private static ConnectionSettings Checked(ConnectionSettings s)
    {
        Require(AllPositive(s.ConnectTimeout), $"{Path}.connect-timeout", "must be a positive duration");
        Require(AllPositive(s.BtpHandshakeTimeout), $"{Path}.btp-handshake-timeout", "must be a positive duration");
        Require(s.RequestedMtu is >= 23 and <= 517, $"{Path}.requested-mtu", $"must be a BLE ATT MTU, 23..517 (got {s.RequestedMtu})");
        var btp = s.Btp;
        Require(btp.AckTimeout >= SpecAckTimeout && btp.AckTimeout <= MaxAckTimeout, $"{BtpPath}.ack-timeout",
            $"must be {Seconds(SpecAckTimeout)}..{Seconds(MaxAckTimeout)} (a conforming device may take BTP_ACK_TIMEOUT, " +
            $"{Seconds(SpecAckTimeout)}, to acknowledge; a silent one holds its proxy slot this long); got {Seconds(btp.AckTimeout)}");
        Require(btp.SendAckDelay > TimeSpan.Zero && btp.SendAckDelay <= MaxSendAckDelay, $"{BtpPath}.send-ack-delay",
            $"must be positive and at most {Seconds(MaxSendAckDelay)} (a third of the device's {Seconds(SpecAckTimeout)} BTP_ACK_TIMEOUT, " +
            $"so our ack reaches it in time through the proxy); got {Seconds(btp.SendAckDelay)}");
        Require(btp.IdleTimeout is { } idle && idle >= SpecIdleTimeout && idle <= MaxIdleTimeout, $"{BtpPath}.idle-timeout",
            $"must be {Seconds(SpecIdleTimeout)}..{Seconds(MaxIdleTimeout)} (at least BTP_CONN_IDLE_TIMEOUT; an idle link holds " +
            $"its proxy slot this long); got {Seconds(btp.IdleTimeout)}");
        Require(btp.MaxQueuedMessages is >= 1 and <= MaxQueuedMessagesLimit, $"{BtpPath}.max-queued-messages",
            $"must be 1..{MaxQueuedMessagesLimit} (got {btp.MaxQueuedMessages})");
        return s;
    }

    private static string Seconds(TimeSpan? duration) =>
        duration is { } d && d >= TimeSpan.Zero ? $"{d.TotalSeconds:0.###} s" : "infinite";
}
