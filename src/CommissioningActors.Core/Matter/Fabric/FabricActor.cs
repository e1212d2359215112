using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;

namespace CommissioningActors.Core.Matter.Fabric;

public sealed record FabricSettings
{
    /// <summary>Our AdminVendorId in AddNOC (0xFFF1: a test vendor id, until the service has its own).</summary>
    public ushort AdminVendorId { get; init; } = 0xFFF1;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The fabric and node registry. It owns the fabric's root key (in memory, and in the store): on first start
/// it creates the fabric and writes it to the store before answering anyone, so no device is ever told to
/// trust a root that a crash could lose. It hands out node ids (persisted before they are returned), issues
/// NOCs from device CSRs, keeps the node list and publishes <see cref="NodeAdded"/>/<see cref="NodeUpdated"/>/
/// <see cref="NodeRemoved"/> on the event stream. The store is synchronous, so this actor runs on
/// <see cref="Dispatcher"/>. If the fabric cannot be loaded or written, every request gets
/// <see cref="FabricUnavailable"/> rather than a new fabric that would orphan the old nodes.
/// </summary>
public sealed class FabricActor : ReceiveActor
{
    public const string Dispatcher = "commissioning.store-dispatcher";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly FabricStore _store;
    private readonly FabricSettings _settings;
    private readonly SortedDictionary<ulong, NodeRecord> _nodes = [];
    private readonly HashSet<ulong> _available = [];
    private readonly Dictionary<NetworkKind, NetworkCredentials?> _credentials = [];
    private FabricAuthority? _authority;
    private FabricRecord? _fabric;
    private MatterCertificate? _controllerNoc;
    private string? _unavailable;

    public FabricActor(FabricStore store, FabricSettings settings)
    {
        _store = store;
        _settings = settings;

        Receive<GetFabric>(_ => Reply(() => new FabricInfo(
            _fabric!.FabricId, _fabric.AdminVendorId, _fabric.ControllerNodeId, _authority!.RootCertificate, _fabric.Ipk)));
        Receive<GetControllerCredentials>(_ => Reply(() => new ControllerCredentials(
            _fabric!.FabricId, _fabric.ControllerNodeId, _authority!.RootCertificate, _controllerNoc!, _fabric.ControllerPrivateKey, _fabric.Ipk)));
        Receive<AllocateNodeId>(_ => Reply(() => new NodeIdAllocated(_store.AllocateNodeId())));
        Receive<IssueNoc>(OnIssueNoc);
        Receive<AddNode>(add => Reply(() =>
        {
            _store.SaveNode(add.Node);
            _nodes[add.Node.NodeId] = add.Node;
            _available.Add(add.Node.NodeId);
            Context.System.EventStream.Publish(new NodeAdded(add.Node));
            return new NodeSaved(add.Node.NodeId);
        }));
        Receive<NodeSeen>(OnNodeSeen);
        Receive<RemoveNode>(remove => Reply(() =>
        {
            if (!_nodes.Remove(remove.NodeId))
            {
                return new UnknownNode(remove.NodeId);
            }

            _available.Remove(remove.NodeId);

            _store.DeleteNode(remove.NodeId);
            Context.System.EventStream.Publish(new NodeRemoved(remove.NodeId));
            return new NodeRemovedReply(remove.NodeId);
        }));
        Receive<NodeUnreachable>(OnNodeUnreachable);
        Receive<LabelNode>(OnLabelNode);
        Receive<GetNodes>(_ => Sender.Tell(new NodeList([.. _nodes.Values], new HashSet<ulong>(_available))));
        Receive<SaveNetworkCredentials>(save => Reply(() =>
        {
            _store.SaveNetworkCredentials(save.Credentials, _settings.Time.GetUtcNow());
            _credentials[save.Credentials.Kind] = save.Credentials;
            return new NetworkCredentialsSaved(save.Credentials.Kind);
        }));
        // Every BLE job asks before it connects: a storm of jobs must not queue a store read each ahead of the
        // node-id requests of flows that hold proxy slots. Read once, then kept (this actor is the only writer).
        Receive<GetNetworkCredentials>(get => Reply(() =>
        {
            if (!_credentials.TryGetValue(get.Kind, out var credentials))
            {
                credentials = _store.LoadNetworkCredentials(get.Kind);
                _credentials[get.Kind] = credentials;
            }

            return new NetworkCredentialsFound(get.Kind, credentials);
        }));
        Receive<GetNode>(get => Sender.Tell(_nodes.TryGetValue(get.NodeId, out var node)
            ? new NodeFound(node, _available.Contains(get.NodeId))
            : new UnknownNode(get.NodeId)));
    }

    public static Props Props(FabricStore store, FabricSettings? settings = null) =>
        Akka.Actor.Props.Create(() => new FabricActor(store, settings ?? new FabricSettings())).WithDispatcher(Dispatcher);

    protected override void PreStart()
    {
        try
        {
            var stored = _store.LoadFabric();
            if (stored is null)
            {
                CreateFabric();
            }
            else
            {
                Restore(stored);
            }

            foreach (var node in _store.LoadNodes())
            {
                _nodes[node.NodeId] = node;
            }

            _log.Info("Fabric {0:X16} ready with {1} nodes", _fabric!.FabricId, _nodes.Count);
        }
        catch (Exception e) when (e is StoreException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            _unavailable = $"the fabric store is unavailable: {e.Message}";
            _log.Error("Fabric unavailable: {0}", e.Message);
        }
    }

    protected override void PostStop() => _authority?.Dispose();

    private void CreateFabric()
    {
        var fabricId = RandomId(1, ulong.MaxValue);
        var authority = FabricAuthority.Create(fabricId, RandomId(1, ulong.MaxValue), _settings.Time);
        // Devices get ids from 1 up; the controller sits far above them.
        var controllerNodeId = 0x0001_0000_0000_0000UL + RandomId(0, uint.MaxValue);
        using var controller = authority.IssueControllerIdentity(controllerNodeId);
        var record = new FabricRecord(
            fabricId, _settings.AdminVendorId, authority.ExportRootKeyPkcs8(), authority.RootCertificate.ToDer(),
            RandomNumberGenerator.GetBytes(16), controllerNodeId, controller.Key.ExportPkcs8PrivateKey(), controller.Noc.ToDer(),
            1, _settings.Time.GetUtcNow());
        try
        {
            _store.SaveFabric(record);
        }
        catch
        {
            authority.Dispose();
            throw;
        }

        _authority = authority;
        _fabric = record;
        _controllerNoc = controller.Noc;
        _log.Info("Created fabric {0:X16}", fabricId);
    }

    private void Restore(FabricRecord stored)
    {
        var restored = FabricAuthority.Restore(stored.FabricId, stored.RootPrivateKey, stored.RootCertificate, _settings.Time);
        if (!restored.IsOk)
        {
            throw new StoreException($"the stored fabric {stored.FabricId:X16} does not load: {restored.Error}");
        }

        var noc = MatterCertificateDerReader.Decode(stored.ControllerNoc);
        if (!noc.IsOk)
        {
            restored.Value!.Dispose();
            throw new StoreException($"the stored controller NOC of fabric {stored.FabricId:X16} does not load: {noc.Error}");
        }

        _authority = restored.Value;
        _fabric = stored;
        _controllerNoc = noc.Value;
    }

    private void OnIssueNoc(IssueNoc issue) => Reply(() =>
    {
        var noc = _authority!.IssueNocFromCsr(issue.Csr, issue.NodeId);
        return noc.IsOk ? new NocIssued(issue.NodeId, noc.Value!) : new NocRefused(issue.NodeId, $"the device's CSR was refused: {noc.Error}");
    });

    private void OnNodeSeen(NodeSeen seen)
    {
        if (_unavailable is not null || !_nodes.TryGetValue(seen.NodeId, out var node))
        {
            return;
        }

        var addresses = seen.Address is null || node.Addresses.Contains(seen.Address) ? node.Addresses : [seen.Address, .. node.Addresses.Take(3)];
        var updated = node with { LastSeen = seen.When, Addresses = addresses };
        try
        {
            _store.SaveNode(updated);
        }
        catch (Exception e) when (e is StoreException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            _log.Warning("Node {0:X16}: last seen not written: {1}", seen.NodeId, e.Message);
        }

        _nodes[seen.NodeId] = updated;
        _available.Add(seen.NodeId);
        Context.System.EventStream.Publish(new NodeUpdated(updated, true));
    }

    private void OnLabelNode(LabelNode label)
    {
        if (_unavailable is not null || !_nodes.TryGetValue(label.NodeId, out var node))
        {
            return;
        }

        var updated = node with { Label = label.Label };
        try
        {
            _store.SaveNode(updated);
        }
        catch (Exception e) when (e is StoreException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            _log.Warning("Node {0:X16}: label not written: {1}", label.NodeId, e.Message);
            return;
        }

        _nodes[label.NodeId] = updated;
        Context.System.EventStream.Publish(new NodeUpdated(updated, _available.Contains(label.NodeId)));
    }

    private void OnNodeUnreachable(NodeUnreachable unreachable)
    {
        if (_nodes.TryGetValue(unreachable.NodeId, out var node) && _available.Remove(unreachable.NodeId))
        {
            Context.System.EventStream.Publish(new NodeUpdated(node, false));
        }
    }

    /// <summary>Answers with <paramref name="answer"/>, or with <see cref="FabricUnavailable"/> when there is no fabric or the store fails.</summary>
    private void Reply(Func<object> answer)
    {
        if (_unavailable is not null)
        {
            Sender.Tell(new FabricUnavailable(_unavailable));
            return;
        }

        try
        {
            Sender.Tell(answer());
        }
        catch (Exception e) when (e is StoreException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            _log.Warning("Fabric store write failed: {0}", e.Message);
            Sender.Tell(new FabricUnavailable($"the fabric store failed: {e.Message}"));
        }
    }

    private static ulong RandomId(ulong min, ulong max)
    {
        var value = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        return min + (value % (max - min));
    }
}
