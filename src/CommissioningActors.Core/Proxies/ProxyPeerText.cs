using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Text;

namespace CommissioningActors.Core.Proxies;

/// <summary>
/// Everything a proxy says in free text (error codes and messages, reasons, names, parse errors quoting its
/// frames) passes through here before it reaches a log, a job's output or a verdict: escaped, so it cannot
/// start a line of its own, and truncated.
/// </summary>
public static class ProxyPeerText
{
    public const int MaxCode = 64;
    public const int MaxMessage = 256;

    public static string Text(string? text) => PeerText.Escape(text ?? string.Empty, MaxMessage);

    public static BleProxyError Error(string? code, string? message) =>
        new(PeerText.Escape(string.IsNullOrEmpty(code) ? BleErrorCodes.InternalError : code, MaxCode), Text(message));
}
