using System.Net;

namespace CommissioningActors.Core.Matter.Resolution;

// Messages received by the Matter resolver actor (mDNS over DNS-SD plus static entries). Each Resolve* is
// answered to its sender with its *Resolved record or ResolveFailed, within its timeout.

/// <summary>
/// Finds a commissionable device (_matterc._udp) by long (12-bit) or short (4-bit) discriminator; both null
/// means "any". Answered with <see cref="CommissionableResolved"/> or <see cref="ResolveFailed"/>.
/// </summary>
public sealed record ResolveCommissionable(ushort? LongDiscriminator, byte? ShortDiscriminator, TimeSpan Timeout);

/// <summary><paramref name="Addresses"/>: every address the device announced, best first.</summary>
public sealed record CommissionableResolved(string InstanceName, ushort LongDiscriminator, ushort? VendorId, ushort? ProductId, IReadOnlyList<IPEndPoint> Addresses);

/// <summary>Finds an operational node (_matter._tcp, "compressed fabric id-node id"): <see cref="OperationalResolved"/> or <see cref="ResolveFailed"/>.</summary>
public sealed record ResolveOperational(ulong CompressedFabricId, ulong NodeId, TimeSpan Timeout);

public sealed record OperationalResolved(ulong CompressedFabricId, ulong NodeId, IReadOnlyList<IPEndPoint> Addresses);

public sealed record ResolveFailed(string Reason);

/// <summary>
/// A static operational entry (the embedded simulator's devices on a loopback without multicast): consulted
/// before mDNS. No reply.
/// </summary>
public sealed record AddStaticOperational(ulong CompressedFabricId, ulong NodeId, IPEndPoint Address);

/// <summary>The node left that fabric (its fail-safe reverted, it was removed): its static entry goes. No reply.</summary>
public sealed record RemoveStaticOperational(ulong CompressedFabricId, ulong NodeId);

/// <summary>A static commissionable entry, consulted before mDNS. No reply.</summary>
public sealed record AddStaticCommissionable(ushort LongDiscriminator, IPEndPoint Address, ushort? VendorId = null, ushort? ProductId = null);
