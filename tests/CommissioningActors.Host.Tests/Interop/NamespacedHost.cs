using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CommissioningActors.Host.Hosting;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>
/// The built service as a child process inside a <see cref="NetworkNamespace"/>: every socket it opens (Kestrel,
/// the Matter UDP transport, the mDNS sockets) is the namespace's, so its mDNS reaches the namespace's devices and
/// nothing else. Tests reach its /ws through a socket opened inside the namespace too. Disposing kills the process
/// and deletes its store.
/// </summary>
public sealed class NamespacedHost : IAsyncDisposable
{
    /// <summary>Kestrel's port on the namespace's own 127.0.0.1 (a fresh namespace has every port free).</summary>
    public const int Port = 18080;

    private const int MaxOutput = 256 * 1024;

    private readonly Process _process;
    private readonly NetworkNamespace _network;
    private readonly string _storage;
    private readonly StringBuilder _output = new();
    private readonly SocketsHttpHandler _handler;

    private NamespacedHost(Process process, NetworkNamespace network, string storage)
    {
        _process = process;
        _network = network;
        _storage = storage;
        _handler = new SocketsHttpHandler { ConnectCallback = ConnectInsideAsync };
    }

    public Uri Ws { get; } = new($"ws://127.0.0.1:{Port}/ws");

    /// <summary>What the service printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the service in <paramref name="network"/> with <paramref name="hocon"/> and waits until /ws answers.</summary>
    public static async Task<NamespacedHost> StartAsync(NetworkNamespace network, string hocon, TimeSpan? ready = null)
    {
        var storage = TestHost.NewStorageDirectory();
        var info = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] command =
        [
            "dotnet", typeof(CommissioningHost).Assembly.Location,
            "--urls", $"http://127.0.0.1:{Port}",
            "--Simulator:Enabled=false",
            $"--Storage:Directory={storage}",
            $"--Akka:Hocon={hocon}",
        ];
        foreach (var arg in network.Enter(command))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("Server__Token");
        info.Environment.Remove("ASPNETCORE_URLS");
        var host = new NamespacedHost(Process.Start(info) ?? throw new InvalidOperationException("nsenter did not start"), network, storage);
        host.Drain(host._process.StandardOutput);
        host.Drain(host._process.StandardError);

        var deadline = DateTime.UtcNow + (ready ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            try
            {
                await using var probe = await RawClient.ConnectAsync(host.Ws, invoker: new HttpMessageInvoker(host._handler, disposeHandler: false));
                return host;
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or HttpRequestException or OperationCanceledException)
            {
                if (host._process.HasExited || DateTime.UtcNow > deadline)
                {
                    var output = host.Output;
                    await host.DisposeAsync();
                    throw new InvalidOperationException($"the service did not come up in the namespace ({e.Message}); it printed:\n{output}");
                }

                await Task.Delay(250);
            }
        }
    }

    /// <summary>Connects to /ws and reads the server_info every connection starts with.</summary>
    public async Task<RawClient> ConnectControllerAsync()
    {
        var client = await RawClient.ConnectAsync(Ws, invoker: new HttpMessageInvoker(_handler, disposeHandler: false));
        Assert.Equal("server_info", (string?)(await client.ReceiveJsonAsync())["event"]);
        return client;
    }

    private async ValueTask<Stream> ConnectInsideAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var socket = await NamespaceThread.CreateInsideAsync(_network, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellation);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Drain(StreamReader reader) => _ = Task.Run(async () =>
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                if (_output.Length < MaxOutput)
                {
                    _output.AppendLine(line);
                }
            }
        }
    });

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
        _handler.Dispose();
        if (Directory.Exists(_storage))
        {
            Directory.Delete(_storage, recursive: true);
        }
    }
}
