using System.Net;
using Akka.Actor;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Transport;

namespace CommissioningActors.Core.Matter.Commissioning;

/// <summary>
/// A node announced at several operational addresses (IPv6 and IPv4, several interfaces) is tried at each in
/// turn: CASE failing or timing out at one moves on to the next. With more than one address each gets an equal
/// share of the step timeout, so the whole CASE step stays bounded by it.
/// </summary>
public sealed partial class CommissioningFlowActor
{
    private static readonly TimeSpan MinCaseShare = TimeSpan.FromSeconds(3);
    private readonly Queue<IPEndPoint> _operationalAddresses = new();
    private TimeSpan? _caseShare;

    private TimeSpan CaseTimeout => _caseShare ?? _settings.StepTimeout;

    private void TryOperationalAddresses(ControllerCredentials credentials, IReadOnlyList<IPEndPoint> addresses)
    {
        foreach (var address in addresses)
        {
            _operationalAddresses.Enqueue(address);
        }

        if (addresses.Count > 1)
        {
            var share = _settings.StepTimeout / addresses.Count;
            _caseShare = share < MinCaseShare ? MinCaseShare : share;
        }

        Line($"node {_nodeId} found at {string.Join(", ", addresses)}");
        StartCase(credentials, ChannelTo(_operationalAddresses.Dequeue()));
    }

    /// <summary>CASE at <paramref name="channel"/> failed: the next announced address, or the step fails.</summary>
    private void CaseFailed(ControllerCredentials credentials, IMatterChannel channel, string reason)
    {
        if (!_operationalAddresses.TryDequeue(out var next))
        {
            Fail("commissioning_failed", reason);
            return;
        }

        Timers.Cancel(StepTimer);
        Context.Stop(_caseSession); // a session still trying must not answer the next one's timer
        Line($"CASE at {channel.PeerDescription} failed ({reason}); trying the next address");
        StartCase(credentials, ChannelTo(next));
    }

    /// <summary>The channel CASE uses at an operational address: the configured one (BLE flows), else the UDP channel re-aimed.</summary>
    private IMatterChannel ChannelTo(IPEndPoint address) =>
        _settings.OperationalChannel?.Invoke(address) ?? (_channel is UdpMatterChannel udp ? udp.WithPeer(address) : _channel);
}
