using System.Diagnostics;
using System.Text.Json;
using CommissioningActors.Host.Hosting;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>
/// The built service (CommissioningActors.Host.dll) as a child process inside a <see cref="NetworkNamespace"/>: its
/// Kestrel, Matter UDP socket and mDNS resolver all live there, so it finds devices by real mDNS on the namespace's
/// multicast loopback and nothing it sends can leave the machine. Peers in the namespace reach it at
/// <see cref="BleInside"/>; the test reaches /ws through a <see cref="NamespacePortForward"/>. Its log is compact
/// JSON lines (every event kept, for secret checks). Disposing stops it and deletes its storage.
/// </summary>
public sealed class NamespaceService : IAsyncDisposable
{
    /// <summary>Any fixed port will do: the namespace is fresh, nothing else listens in it.</summary>
    public const int Port = 5580;

    private static readonly string Hocon = string.Join('\n',
        "commissioning.matter.udp.bind-address = \"127.0.0.1\"",
        "commissioning.matter.resolver.enabled = on",
        "commissioning.matter.resolver.interfaces = [\"lo\"]");

    private readonly JsonLineProcess _process;
    private readonly NamespacePortForward _forward;
    private readonly string _storage;

    private NamespaceService(JsonLineProcess process, NamespacePortForward forward, string storage)
    {
        _process = process;
        _forward = forward;
        _storage = storage;
    }

    /// <summary>/ble as seen from inside the namespace (for the BLE proxy fixture).</summary>
    public static Uri BleInside => new($"ws://127.0.0.1:{Port}/ble");

    /// <summary>/ws as seen from the test (through the port forward).</summary>
    public Uri Ws => new($"ws://127.0.0.1:{_forward.Port}/ws");

    /// <summary>The service's log events (compact JSON: @t, @l, @mt, properties).</summary>
    public IReadOnlyList<JsonElement> Log => _process.Events;

    public string StderrTail => _process.StderrTail;

    public static async Task<NamespaceService> StartAsync(NetworkNamespace network, params string[] extraArgs)
    {
        var storage = TestHost.NewStorageDirectory();
        var info = new ProcessStartInfo("nsenter")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] command =
        [
            "dotnet", typeof(CommissioningHost).Assembly.Location,
            "--urls", $"http://127.0.0.1:{Port}",
            "--Simulator:Enabled=false",
            $"--Storage:Directory={storage}",
            "--Logs:Json=true",
            "--Serilog:MinimumLevel:Default=Information",
            $"--Akka:Hocon={Hocon}",
            .. extraArgs,
        ];
        foreach (var arg in network.Enter(command))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("Server__Token");
        info.Environment.Remove("ASPNETCORE_URLS");
        var process = new JsonLineProcess(Process.Start(info) ?? throw new InvalidOperationException("nsenter did not start"), "service (in namespace)");
        var forward = new NamespacePortForward(network, Port);
        try
        {
            await process.WaitForAsync(IsListening, TimeSpan.FromSeconds(60), what: "\"Now listening\" log line");
            return new NamespaceService(process, forward, storage);
        }
        catch
        {
            await forward.DisposeAsync();
            await process.DisposeAsync();
            DeleteStorage(storage);
            throw;
        }
    }

    private static bool IsListening(JsonElement e) =>
        e.TryGetProperty("@mt", out var template) && template.GetString()?.StartsWith("Now listening on", StringComparison.Ordinal) == true;

    /// <summary>A /ws client past its server_info.</summary>
    public Task<RawClient> ConnectControllerAsync() => ConnectAsync(Ws);

    private static async Task<RawClient> ConnectAsync(Uri ws)
    {
        var client = await RawClient.ConnectAsync(ws);
        var first = await client.ReceiveJsonAsync();
        if ((string?)first["event"] != "server_info")
        {
            await client.DisposeAsync();
            throw new InvalidOperationException("expected server_info first, got " + first.ToJsonString());
        }

        return client;
    }

    /// <summary>Every rendered log line (template and properties as text), for "this never reached a log" checks.</summary>
    public string AllLogText() => string.Join('\n', Log.Select(e => e.GetRawText())) + "\n" + _process.StderrTail;

    public async ValueTask DisposeAsync()
    {
        await _forward.DisposeAsync();
        // Closing stdin does not stop an ASP.NET Core host: JsonLineProcess then kills it (SIGKILL after 10 s is
        // too slow), so ask it to stop first.
        if (!_process.HasExited)
        {
            _ = Kill(_process.ProcessId, SigTerm);
        }

        await _process.DisposeAsync();
        DeleteStorage(_storage);
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static void DeleteStorage(string storage)
    {
        try
        {
            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
        catch (IOException)
        {
            // Reclaimed by the OS eventually.
        }
    }
}
