using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Gate;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Proxies;

/// <summary>
/// Run a command on the proxy. The sender gets BleCommandSucceeded or BleCommandFailed carrying Correlation.
/// The sender of a successful Connect owns the handle: it gets that handle's ConnectionEvents and is watched,
/// so a handle whose owner dies is disconnected by the session.
/// </summary>
public sealed record ExecuteBleCommand(BleCommand Command, object? Correlation = null);

// Replies, losses and releases routinely outlive their receiver at the end of an attempt or a proxy session:
// IDeadLetterSuppression keeps those normal endings out of the dead-letter log.
public sealed record BleCommandSucceeded(BleCommand Command, BleCommandResult Result, object? Correlation) : IDeadLetterSuppression;

public sealed record BleCommandFailed(BleCommand Command, BleProxyError Error, object? Correlation) : IDeadLetterSuppression;

/// <summary>Events for one connection handle, delivered to its owner.</summary>
public abstract record ConnectionEvent(int ConnectionHandle);

/// <summary>A 0x02 binary frame or a JSON characteristic_notification (C2 indications in practice).</summary>
public sealed record ConnectionNotification(int ConnectionHandle, string? CharacteristicUuid, byte[] Value)
    : ConnectionEvent(ConnectionHandle);

/// <summary>A 0x03 binary frame: the value of the last read on that handle.</summary>
public sealed record ConnectionReadValue(int ConnectionHandle, byte[] Value) : ConnectionEvent(ConnectionHandle);

/// <summary>The device dropped, or the proxy itself went away; no further commands for that handle.</summary>
public sealed record ConnectionLost(int ConnectionHandle, string Reason) : ConnectionEvent(ConnectionHandle), IDeadLetterSuppression;

/// <summary>Published on the event stream when a proxy finishes its handshake / goes away.</summary>
public sealed record ProxyConnected(string ProxyId, string Name, IActorRef Session, IActorRef Gate, int Slots,
    SlotsSource SlotsSource = SlotsSource.Default);

/// <summary>
/// A 0x01 WRITE_DATA binary frame: <paramref name="Payload"/> goes to the characteristic last written on the handle
/// (C1 after the BTP handshake). Fire and forget: only the handle's owner may send it; a dead handle is ignored.
/// </summary>
public sealed record WriteBtpData(int ConnectionHandle, byte[] Payload) : IDeadLetterSuppression;

/// <summary>An owner gives its handle back (sends `disconnect` unless the session already released it); no reply.</summary>
public sealed record ReleaseConnection(int ConnectionHandle) : IDeadLetterSuppression;

/// <summary>Tell a session that its proxy client does not know a command, so later requests fail fast.</summary>
public sealed record MarkCommandUnsupported(string CommandName);

public sealed record ProxyDisconnected(string ProxyId, string Name, string Reason);

/// <summary>Published on the event stream when a proxy reports that its scan stopped (the scan intent re-arms it).</summary>
public sealed record ProxyScanStopped(string ProxyId, IActorRef Session, string? Reason);

/// <summary>The session's own timers: a command's deadline, the hello deadline.</summary>
internal sealed record CommandTimedOut(int Id);

internal sealed record HelloTimedOut
{
    public static readonly HelloTimedOut Instance = new();
}
