using Akka.Actor;
using Akka.Hosting;
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
    private TestHost(WebApplication app, Uri http)
    {
        App = app;
        Http = http;
    }

    public WebApplication App { get; }
    public Uri Http { get; }
    public Uri Ble => new UriBuilder(Http) { Scheme = "ws", Path = "/ble" }.Uri;
    public Uri Ws => new UriBuilder(Http) { Scheme = "ws", Path = "/ws" }.Uri;
    public ActorSystem System => App.Services.GetRequiredService<ActorSystem>();

    public static Task<TestHost> StartAsync(params string[] args) => StartWithHoconAsync(null, args);

    public static Task<TestHost> StartWithHoconAsync(string? hocon, params string[] args) => StartWithSinkAsync(null, hocon, args);

    /// <param name="sink">Receives every log event the host writes, after its enrichers (redaction included).</param>
    public static async Task<TestHost> StartWithSinkAsync(ILogEventSink? sink, string? hocon, params string[] args)
    {
        string[] defaults =
        [
            "--urls", "http://127.0.0.1:0",
            "--Simulator:Enabled=false",
            "--Serilog:MinimumLevel:Default=Warning",
        ];
        var app = CommissioningHost.Build([.. defaults, .. args], hocon, sink);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestHost(app, new Uri(address));
    }

    public Task<IActorRef> ActorAsync<T>() => App.Services.GetRequiredService<ActorRegistry>().GetAsync<T>();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
