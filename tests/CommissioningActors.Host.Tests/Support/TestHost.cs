using Akka.Actor;
using Akka.Hosting;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Storage;
using CommissioningActors.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace CommissioningActors.Host.Tests.Support;

/// <summary>The real host on an ephemeral 127.0.0.1 port, embedded simulator off unless asked for.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly string? _ownedStorage;

    private TestHost(WebApplication app, Uri http, string? ownedStorage)
    {
        App = app;
        Http = http;
        _ownedStorage = ownedStorage;
    }

    /// <summary>
    /// Matter on loopback, no mDNS; BLE attempts end at the BTP handshake (the tests' simulated proxies carry no
    /// Matter device unless a test wires one: those set commission-over-ble = on).
    /// </summary>
    public const string LoopbackMatter = "commissioning.matter.udp.bind-address = \"127.0.0.1\"\ncommissioning.matter.resolver.enabled = off\ncommissioning.attempt.commission-over-ble = off";

    public WebApplication App { get; }
    public Uri Http { get; }
    public Uri Ble => new UriBuilder(Http) { Scheme = "ws", Path = "/ble" }.Uri;
    public Uri Ws => new UriBuilder(Http) { Scheme = "ws", Path = "/ws" }.Uri;
    public ActorSystem System => App.Services.GetRequiredService<ActorSystem>();

    public static Task<TestHost> StartAsync(params string[] args) => StartWithHoconAsync(null, args);

    public static Task<TestHost> StartWithHoconAsync(string? hocon, params string[] args) => StartWithSinkAsync(null, hocon, args);

    /// <summary>Test Wi-Fi credentials every test host stores at start, so BLE commissioning is not refused for want of a network.</summary>
    public static readonly NetworkCredentials TestWiFi = new(NetworkKind.WiFi, "test-wifi", "test-wifi-password"u8.ToArray());

    /// <param name="sink">Receives every log event the host writes, after its enrichers (redaction included).</param>
    public static Task<TestHost> StartWithSinkAsync(ILogEventSink? sink, string? hocon, params string[] args) =>
        StartCoreAsync(sink, hocon, storeWiFi: true, args);

    /// <summary>A host whose store holds no Wi-Fi credentials and no Thread dataset (unless an earlier run on its storage saved some).</summary>
    public static Task<TestHost> StartWithoutNetworkCredentialsAsync(string? hocon, params string[] args) =>
        StartCoreAsync(null, hocon, storeWiFi: false, args);

    private static async Task<TestHost> StartCoreAsync(ILogEventSink? sink, string? hocon, bool storeWiFi, string[] args)
    {
        // Each host gets its own store unless the test names one (a restart test reuses it), and deletes it when done.
        var ownedStorage = args.Any(a => a.StartsWith("--Storage:Directory", StringComparison.Ordinal)) ? null : NewStorageDirectory();
        string[] defaults =
        [
            "--urls", "http://127.0.0.1:0",
            "--Simulator:Enabled=false",
            "--Serilog:MinimumLevel:Default=Warning",
            .. ownedStorage is null ? Array.Empty<string>() : [$"--Storage:Directory={ownedStorage}"],
        ];
        // The Matter UDP socket stays on loopback in tests (a test's own HOCON comes after, so it can still override).
        var app = CommissioningHost.Build([.. defaults, .. args], $"{LoopbackMatter}\n{hocon}", sink);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new TestHost(app, new Uri(address), ownedStorage);
        if (storeWiFi)
        {
            var fabric = await host.ActorAsync<FabricActor>();
            await fabric.Ask<NetworkCredentialsSaved>(new SaveNetworkCredentials(TestWiFi), TimeSpan.FromSeconds(10));
        }

        return host;
    }

    public Task<IActorRef> ActorAsync<T>() => App.Services.GetRequiredService<ActorRegistry>().GetAsync<T>();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownedStorage is not null && Directory.Exists(_ownedStorage))
        {
            Directory.Delete(_ownedStorage, recursive: true);
        }
    }

    /// <summary>A fresh, not yet created data directory under the temp folder.</summary>
    public static string NewStorageDirectory() => Path.Combine(Path.GetTempPath(), "ca-host-" + Guid.NewGuid().ToString("N"));
}
