using System.Net;
using CommissioningActors.Protocol.Mdns;
using CommissioningActors.Protocol.Text;

namespace CommissioningActors.Core.Matter.Resolution;

// What answers a request (static entries, then the mDNS cache) and which questions would complete it.
public sealed partial class MatterResolverActor
{
    private const int MaxFollowUpInstances = 8;

    private object? TryAnswer(object request) => request switch
    {
        ResolveCommissionable c => StaticCommissionable(c) ?? CachedCommissionable(c),
        ResolveOperational o => StaticOperational(o) ?? CachedOperational(o),
        _ => null,
    };

    private static bool Matches(ResolveCommissionable request, ushort discriminator) =>
        (request.LongDiscriminator is not { } l || l == discriminator)
        && (request.ShortDiscriminator is not { } s || s == discriminator >> 8);

    private CommissionableResolved? StaticCommissionable(ResolveCommissionable request)
    {
        if (_staticCommissionable.Find(e => Matches(request, e.LongDiscriminator)) is not { } first)
        {
            return null;
        }

        IReadOnlyList<IPEndPoint> addresses =
            [.. _staticCommissionable.Where(e => e.LongDiscriminator == first.LongDiscriminator).Select(e => e.Address)];
        return new CommissionableResolved($"static-{first.LongDiscriminator}", first.LongDiscriminator, first.VendorId, first.ProductId, addresses);
    }

    private CommissionableResolved? CachedCommissionable(ResolveCommissionable request)
    {
        foreach (var instance in _cache.Commissionable())
        {
            var txt = _cache.LiveTxt(instance)!;
            if (MatterDnsSd.Discriminator(txt) is not { } discriminator || !Matches(request, discriminator)
                || _cache.LiveSrv(instance) is not { } srv || _cache.EndPoints(srv.Target, srv.Port) is not { Count: > 0 } addresses)
            {
                continue;
            }

            var (vendor, product) = MatterDnsSd.VendorProduct(txt);
            return new CommissionableResolved(FirstLabel(instance.Name), discriminator, vendor, product, addresses);
        }

        return null;
    }

    private OperationalResolved? StaticOperational(ResolveOperational request) =>
        _staticOperational.TryGetValue((request.CompressedFabricId, request.NodeId), out var address)
            ? new OperationalResolved(request.CompressedFabricId, request.NodeId, [address])
            : null;

    private OperationalResolved? CachedOperational(ResolveOperational request) =>
        _cache.Find(MatterDnsSd.OperationalInstance(request.CompressedFabricId, request.NodeId)) is { } instance
        && _cache.LiveSrv(instance) is { } srv
        && _cache.EndPoints(srv.Target, srv.Port) is { Count: > 0 } addresses
            ? new OperationalResolved(request.CompressedFabricId, request.NodeId, addresses)
            : null;

    /// <summary>
    /// The browse question for <paramref name="request"/> (unless <paramref name="followUpsOnly"/>) and the
    /// SRV/TXT/A/AAAA questions for what the responses so far left out.
    /// </summary>
    private IEnumerable<(string Name, DnsRecordType Type)> QuestionsFor(object request, bool followUpsOnly)
    {
        var questions = new List<(string, DnsRecordType)>();
        switch (request)
        {
            case ResolveCommissionable c:
                var service = c.LongDiscriminator is { } l ? MatterDnsSd.LongSubtype(l)
                    : c.ShortDiscriminator is { } s ? MatterDnsSd.ShortSubtype(s)
                    : MatterDnsSd.CommissionableService;
                if (!followUpsOnly)
                {
                    questions.Add((service, DnsRecordType.Ptr));
                }

                foreach (var instance in _cache.InstancesOf(service).Take(MaxFollowUpInstances))
                {
                    AddFollowUps(questions, instance, needTxt: true);
                }

                break;
            case ResolveOperational o:
                var name = MatterDnsSd.OperationalInstance(o.CompressedFabricId, o.NodeId);
                if (_cache.Find(name) is { } known)
                {
                    AddFollowUps(questions, known, needTxt: false);
                }
                else if (!followUpsOnly)
                {
                    questions.Add((name, DnsRecordType.Srv));
                }

                break;
        }

        return questions;
    }

    private void AddFollowUps(List<(string, DnsRecordType)> questions, MdnsCache.Instance instance, bool needTxt)
    {
        if (_cache.LiveSrv(instance) is not { } srv)
        {
            questions.Add((instance.Name, DnsRecordType.Srv));
        }
        else if (_cache.EndPoints(srv.Target, srv.Port).Count == 0)
        {
            questions.Add((srv.Target, DnsRecordType.A));
            questions.Add((srv.Target, DnsRecordType.Aaaa));
        }

        if (needTxt && _cache.LiveTxt(instance) is null)
        {
            questions.Add((instance.Name, DnsRecordType.Txt));
        }
    }

    private static string FirstLabel(string name) => name.IndexOf('.') is var dot and > 0 ? name[..dot] : name;

    /// <summary>One log-safe line: the instance name is the responder's text.</summary>
    private static string Summary(object answer) => answer switch
    {
        CommissionableResolved c => $"instance {PeerText.Escape(c.InstanceName)} at {string.Join(", ", c.Addresses)}",
        OperationalResolved o => $"at {string.Join(", ", o.Addresses)}",
        _ => answer.GetType().Name,
    };

    private static string Describe(object request) => request switch
    {
        ResolveCommissionable { LongDiscriminator: { } l } => $"commissionable device with long discriminator {l}",
        ResolveCommissionable { ShortDiscriminator: { } s } => $"commissionable device with short discriminator {s}",
        ResolveCommissionable => "any commissionable device",
        ResolveOperational o => $"operational node {o.CompressedFabricId:X16}-{o.NodeId:X16}",
        _ => "request",
    };
}
