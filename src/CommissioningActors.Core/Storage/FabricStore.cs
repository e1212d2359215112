using System.Text.Json;
using static CommissioningActors.Core.Storage.StoreValues;

namespace CommissioningActors.Core.Storage;

/// <summary>
/// The fabric, its nodes and the network credentials. Synchronous: callers are the host at start-up and
/// actors on the store's own dispatcher, never the default one.
/// </summary>
public sealed class FabricStore(ServiceDatabase database)
{
    public FabricRecord? LoadFabric()
    {
        using var connection = database.Connect();
        using var command = Command(connection, """
            SELECT fabric_id, admin_vendor_id, root_key, root_cert, ipk, controller_node_id, controller_key,
                   controller_noc, next_node_id, created_at
            FROM fabric WHERE id = 1
            """);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new FabricRecord(
                ToUInt64(reader, 0), (ushort)reader.GetInt32(1), ToBytes(reader, 2), ToBytes(reader, 3), ToBytes(reader, 4),
                ToUInt64(reader, 5), ToBytes(reader, 6), ToBytes(reader, 7), ToUInt64(reader, 8), ToInstant(reader, 9))
            : null;
    }

    /// <summary>Writes the fabric; there is one. Refuses to replace a fabric with a different id (that would orphan its nodes).</summary>
    public void SaveFabric(FabricRecord fabric)
    {
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction();
        using (var existing = Command(connection, "SELECT fabric_id FROM fabric WHERE id = 1"))
        {
            existing.Transaction = transaction;
            if (existing.ExecuteScalar() is long id && unchecked((ulong)id) != fabric.FabricId)
            {
                throw new StoreException($"the store already holds fabric {unchecked((ulong)id):X16}; refusing to replace it with {fabric.FabricId:X16}");
            }
        }

        using var command = Command(connection, """
            INSERT INTO fabric (id, fabric_id, admin_vendor_id, root_key, root_cert, ipk, controller_node_id,
                                controller_key, controller_noc, next_node_id, created_at)
            VALUES (1, $fabric, $vendor, $rootKey, $rootCert, $ipk, $controller, $controllerKey, $noc, $next, $created)
            ON CONFLICT (id) DO UPDATE SET
                admin_vendor_id = excluded.admin_vendor_id, root_key = excluded.root_key, root_cert = excluded.root_cert,
                ipk = excluded.ipk, controller_node_id = excluded.controller_node_id,
                controller_key = excluded.controller_key, controller_noc = excluded.controller_noc,
                next_node_id = MAX(fabric.next_node_id, excluded.next_node_id)
            """,
            ("$fabric", ToColumn(fabric.FabricId)), ("$vendor", (int)fabric.AdminVendorId), ("$rootKey", fabric.RootPrivateKey),
            ("$rootCert", fabric.RootCertificate), ("$ipk", fabric.Ipk), ("$controller", ToColumn(fabric.ControllerNodeId)),
            ("$controllerKey", fabric.ControllerPrivateKey), ("$noc", fabric.ControllerNoc), ("$next", ToColumn(fabric.NextNodeId)),
            ("$created", ToColumn(fabric.CreatedAt)));
        command.Transaction = transaction;
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>Hands out the next node id, persisted before it is returned so a crash can never hand it out twice.</summary>
    public ulong AllocateNodeId()
    {
        using var connection = database.Connect();
        using var command = Command(connection, "UPDATE fabric SET next_node_id = next_node_id + 1 WHERE id = 1 RETURNING next_node_id - 1");
        return command.ExecuteScalar() is long id
            ? unchecked((ulong)id)
            : throw new StoreException("no fabric yet: create it before commissioning");
    }

    public IReadOnlyList<NodeRecord> LoadNodes()
    {
        using var connection = database.Connect();
        using var command = Command(connection, """
            SELECT node_id, vendor_id, product_id, label, transport, addresses, commissioned_at, last_seen
            FROM nodes ORDER BY node_id
            """);
        using var reader = command.ExecuteReader();
        var nodes = new List<NodeRecord>();
        while (reader.Read())
        {
            nodes.Add(new NodeRecord(
                ToUInt64(reader, 0), (ushort)reader.GetInt32(1), (ushort)reader.GetInt32(2), ToOptionalString(reader, 3),
                reader.GetString(4), JsonSerializer.Deserialize<string[]>(reader.GetString(5)) ?? [],
                ToInstant(reader, 6), ToOptionalInstant(reader, 7)));
        }

        return nodes;
    }

    public void SaveNode(NodeRecord node)
    {
        using var connection = database.Connect();
        using var command = Command(connection, """
            INSERT OR REPLACE INTO nodes (node_id, vendor_id, product_id, label, transport, addresses, commissioned_at, last_seen)
            VALUES ($node, $vendor, $product, $label, $transport, $addresses, $commissioned, $seen)
            """,
            ("$node", ToColumn(node.NodeId)), ("$vendor", (int)node.VendorId), ("$product", (int)node.ProductId),
            ("$label", ToColumn(node.Label)), ("$transport", node.Transport), ("$addresses", JsonSerializer.Serialize(node.Addresses)),
            ("$commissioned", ToColumn(node.CommissionedAt)), ("$seen", ToColumn(node.LastSeen)));
        command.ExecuteNonQuery();
    }

    public bool DeleteNode(ulong nodeId)
    {
        using var connection = database.Connect();
        using var command = Command(connection, "DELETE FROM nodes WHERE node_id = $node", ("$node", ToColumn(nodeId)));
        return command.ExecuteNonQuery() > 0;
    }

    public void SaveNetworkCredentials(NetworkCredentials credentials, DateTimeOffset now)
    {
        using var connection = database.Connect();
        using var command = Command(connection, """
            INSERT OR REPLACE INTO network_credentials (kind, ssid, secret, updated_at) VALUES ($kind, $ssid, $secret, $now)
            """,
            ("$kind", KindColumn(credentials.Kind)), ("$ssid", ToColumn(credentials.Ssid)), ("$secret", credentials.Secret), ("$now", ToColumn(now)));
        command.ExecuteNonQuery();
    }

    public NetworkCredentials? LoadNetworkCredentials(NetworkKind kind)
    {
        using var connection = database.Connect();
        using var command = Command(connection, "SELECT ssid, secret FROM network_credentials WHERE kind = $kind", ("$kind", KindColumn(kind)));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new NetworkCredentials(kind, ToOptionalString(reader, 0), ToBytes(reader, 1)) : null;
    }

    private static string KindColumn(NetworkKind kind) => kind == NetworkKind.WiFi ? "wifi" : "thread";
}
