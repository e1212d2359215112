using System.Runtime.Versioning;
using System.Text;
using CommissioningActors.Core.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace CommissioningActors.Core.Tests.Storage;

// Permissions are what these tests check: Unix file modes, so Unix only (the service's own code guards Windows).
[UnsupportedOSPlatform("windows")]
public sealed class StoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-store-" + Guid.NewGuid().ToString("N"), "data");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        var parent = Path.GetDirectoryName(_directory)!;
        if (Directory.Exists(parent))
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public void A_new_store_is_owner_only_and_at_the_current_schema()
    {
        var database = ServiceDatabase.Open(_directory);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database.FilePath));
        Assert.Equal(ServiceDatabase.CurrentSchemaVersion, UserVersion(database.FilePath));
    }

    [Fact]
    public void A_store_file_with_wider_permissions_is_tightened_on_open()
    {
        var database = ServiceDatabase.Open(_directory);
        File.SetUnixFileMode(database.FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        ServiceDatabase.Open(_directory);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database.FilePath));
    }

    [Fact]
    public void A_store_from_a_newer_build_is_refused_untouched()
    {
        var database = ServiceDatabase.Open(_directory);
        SetUserVersion(database.FilePath, ServiceDatabase.CurrentSchemaVersion + 1);

        var refused = Assert.Throws<StoreException>(() => ServiceDatabase.Open(_directory));

        Assert.Contains("newer than this build", refused.Message);
        Assert.Equal(ServiceDatabase.CurrentSchemaVersion + 1, UserVersion(database.FilePath));
    }

    [Fact]
    public void The_fabric_survives_reopening_and_node_ids_are_never_handed_out_twice()
    {
        var store = new FabricStore(ServiceDatabase.Open(_directory));
        Assert.Null(store.LoadFabric());
        Assert.Throws<StoreException>(() => store.AllocateNodeId());

        var fabric = Fabric(fabricId: 0x1122334455667788UL, nextNodeId: 2);
        store.SaveFabric(fabric);
        Assert.Equal(2UL, store.AllocateNodeId());
        Assert.Equal(3UL, store.AllocateNodeId());

        var reopened = new FabricStore(ServiceDatabase.Open(_directory));
        var loaded = reopened.LoadFabric()!;
        Assert.Equal(fabric.FabricId, loaded.FabricId);
        Assert.Equal(fabric.RootPrivateKey, loaded.RootPrivateKey);
        Assert.Equal(fabric.ControllerNoc, loaded.ControllerNoc);
        Assert.Equal(fabric.ControllerNodeId, loaded.ControllerNodeId);
        Assert.Equal(4UL, loaded.NextNodeId);

        // Saving the fabric again (say, a renewed controller NOC) must not rewind the node counter.
        reopened.SaveFabric(fabric with { ControllerNoc = [9, 9] });
        Assert.Equal(4UL, reopened.AllocateNodeId());
    }

    [Fact]
    public void A_different_fabric_never_replaces_the_stored_one()
    {
        var store = new FabricStore(ServiceDatabase.Open(_directory));
        store.SaveFabric(Fabric(fabricId: 1, nextNodeId: 2));

        var refused = Assert.Throws<StoreException>(() => store.SaveFabric(Fabric(fabricId: 2, nextNodeId: 2)));

        Assert.Contains("refusing to replace", refused.Message);
        Assert.Equal(1UL, store.LoadFabric()!.FabricId);
    }

    [Fact]
    public void Fabric_and_credentials_never_show_their_secrets_when_printed()
    {
        var fabric = Fabric(fabricId: 1, nextNodeId: 2);
        var wifi = new NetworkCredentials(NetworkKind.WiFi, "home", Encoding.UTF8.GetBytes("hunter2-password"));

        Assert.DoesNotContain("System.Byte", fabric.ToString());
        Assert.DoesNotContain("hunter2", wifi.ToString());
        Assert.DoesNotContain("home", wifi.ToString());
    }

    [Fact]
    public void Nodes_and_network_credentials_round_trip_and_nodes_can_be_forgotten()
    {
        var store = new FabricStore(ServiceDatabase.Open(_directory));
        var node = new NodeRecord(0xFFFF_FFFF_0000_0002UL, 0xFFF1, 0x8000, "kitchen", "udp", ["127.0.0.1:5540"], T0, T0.AddMinutes(1));
        store.SaveNode(node);
        store.SaveNetworkCredentials(new NetworkCredentials(NetworkKind.WiFi, "home", [1, 2, 3]), T0);
        store.SaveNetworkCredentials(new NetworkCredentials(NetworkKind.WiFi, "office", [4]), T0);

        var reopened = new FabricStore(ServiceDatabase.Open(_directory));
        var loaded = Assert.Single(reopened.LoadNodes());
        Assert.Equal(node.NodeId, loaded.NodeId);
        Assert.Equal(node.Addresses, loaded.Addresses);
        Assert.Equal(node.LastSeen, loaded.LastSeen);
        Assert.Equal("kitchen", loaded.Label);
        var wifi = reopened.LoadNetworkCredentials(NetworkKind.WiFi)!;
        Assert.Equal("office", wifi.Ssid);
        Assert.Equal([4], wifi.Secret);
        Assert.Null(reopened.LoadNetworkCredentials(NetworkKind.Thread));

        Assert.True(reopened.DeleteNode(node.NodeId));
        Assert.False(reopened.DeleteNode(node.NodeId));
        Assert.Empty(reopened.LoadNodes());
    }

    [Fact]
    public void A_job_running_when_the_host_died_is_reported_interrupted_after_a_restart()
    {
        var history = new JobHistoryStore(ServiceDatabase.Open(_directory));
        history.Save(Job("done", "completed", finishedAt: T0.AddSeconds(5)));
        history.Save(Job("running", "running", finishedAt: null));

        var restarted = new JobHistoryStore(ServiceDatabase.Open(_directory));
        Assert.Equal(1, restarted.MarkInterrupted(T0.AddMinutes(1)));

        var jobs = restarted.Load();
        var interrupted = Assert.Single(jobs, j => j.JobId == "running");
        Assert.Equal("failed", interrupted.Status);
        Assert.Equal(JobHistoryStore.InterruptedCode, interrupted.ErrorCode);
        Assert.Equal(T0.AddMinutes(1), interrupted.FinishedAt);
        Assert.Equal("completed", Assert.Single(jobs, j => j.JobId == "done").Status);
        Assert.Equal(["line 1", "line 2"], interrupted.Output);
    }

    [Fact]
    public void Pruning_keeps_the_newest_finished_jobs_within_the_age_and_never_an_unfinished_one()
    {
        var history = new JobHistoryStore(ServiceDatabase.Open(_directory));
        for (var i = 0; i < 5; i++)
        {
            history.Save(Job($"j{i}", "completed", finishedAt: T0.AddMinutes(i)));
        }

        history.Save(Job("live", "running", finishedAt: null));

        Assert.Equal(2, history.Prune(keep: 3, cutoff: T0.AddYears(-1)));
        Assert.Equal(["j2", "j3", "j4", "live"], history.Load().Select(j => j.JobId).Order());

        Assert.Equal(1, history.Prune(keep: 10, cutoff: T0.AddMinutes(2.5)));
        Assert.Equal(["j3", "j4", "live"], history.Load().Select(j => j.JobId).Order());
    }

    private static FabricRecord Fabric(ulong fabricId, ulong nextNodeId) =>
        new(fabricId, 0xFFF1, [1, 2, 3], [4, 5], new byte[16], 0x0000_0000_0001_B669UL, [6], [7], nextNodeId, T0);

    private static StoredJob Job(string id, string status, DateTimeOffset? finishedAt) =>
        new(id, null, status, T0, T0, finishedAt, null, null, null, 2, 0, ["line 1", "line 2"]);

    private static long UserVersion(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }

    private static void SetUserVersion(string path, int version)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA user_version = {version};";
        command.ExecuteNonQuery();
    }
}
