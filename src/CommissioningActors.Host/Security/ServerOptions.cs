namespace CommissioningActors.Host.Security;

/// <summary>Host-level settings (section "Server" of the ASP.NET Core configuration).</summary>
public sealed class ServerOptions
{
    public const string Section = "Server";
    public const string DefaultUrl = "http://127.0.0.1:5580";

    /// <summary>Shared token for /ble and /ws. Required when listening on a non-loopback address.</summary>
    public string? Token { get; set; }

    /// <summary>Largest WebSocket message accepted from a peer; bigger ones close the socket with 1009.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Frames queued towards one peer before its socket is dropped.</summary>
    public int OutboundBuffer { get; set; } = 4096;
}
