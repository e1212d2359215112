using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Streams;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Events;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Metrics;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Storage;
using CommissioningActors.Core.Supervision;
using CommissioningActors.Host.Endpoints;
using CommissioningActors.Host.Security;
using CommissioningActors.Host.Simulation;
using Serilog;
using OpenTelemetry.Metrics;
using Serilog.Core;

namespace CommissioningActors.Host.Hosting;

/// <summary>Builds the service: Kestrel endpoints, the actor system (HOCON from hocon/*.hocon) and Serilog.</summary>
public static class CommissioningHost
{
    /// <param name="hoconOverrides">HOCON that wins over hocon/*.hocon (tests use it to change actor settings).</param>
    /// <param name="extraSink">One more log sink after the configured ones (tests capture every event with it).</param>
    public static WebApplication Build(string[] args, string? hoconOverrides = null, ILogEventSink? extraSink = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        if (!builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            // Kestrel:Endpoints, when given, replaces `urls` (Kestrel would warn that it overrides them).
            builder.WebHost.UseUrls([.. ListenUrls(builder.Configuration)]);
        }

        var server = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        // Whatever says where to listen (`urls`, `Kestrel:Endpoints` in any configuration source), each endpoint is
        // checked just before Kestrel binds it: off loopback without a token, StartAsync throws BindRefusedException.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.RequireTokenOffLoopback(server.Token));
        builder.Services.AddSingleton(server);
        builder.Services.AddHostedService<BindCheckService>();

        // Each host keeps its own logger (several hosts share a process in tests): never the static one.
        builder.Services.AddSerilog((_, logger) => LoggingSetup.Configure(logger, builder.Configuration, extraSink), preserveStaticLogger: true);
        // `--Akka:Hocon="..."` (or Akka__Hocon) overrides hocon/*.hocon from the command line; the parameter wins over both.
        var hocon = string.Join('\n', new[] { builder.Configuration["Akka:Hocon"], hoconOverrides }.Where(h => !string.IsNullOrWhiteSpace(h)));
        // Opened before anything starts: a store that cannot be used stops the host before it listens (StoreException).
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var database = ServiceDatabase.Open(storage.ResolveDirectory());
        builder.Services.AddSingleton(database);
        builder.Services.AddAkka("commissioning", akka => ConfigureActors(akka, server, database, hocon));
        // The maintained Prometheus exporter serves the meter at /metrics (docs/operations.md lists the instruments).
        builder.Services.AddSingleton(sp => CommissioningMetrics.For(sp.GetRequiredService<ActorSystem>()));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(CommissioningMetrics.MeterName).AddPrometheusExporter());
        builder.Services.AddSingleton<IMaterializer>(sp => sp.GetRequiredService<ActorSystem>().Materializer(namePrefix: "sockets"));

        var simulator = SimulatorSettings.From(builder.Configuration);
        if (simulator.Enabled)
        {
            builder.Services.AddSingleton(simulator);
            builder.Services.AddHostedService<EmbeddedSimulatorService>();
            builder.Services.AddSingleton<EmbeddedNetworkDeviceService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedNetworkDeviceService>());
        }

        var app = builder.Build();
        // A peer that vanishes without closing (a proxy losing power) is noticed within a minute, not after TCP gives up.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20), KeepAliveTimeout = TimeSpan.FromSeconds(40) });
        app.UseTokenForSockets(server.Token, "/ble", "/ws", "/metrics");
        app.MapDashboard();
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.Map("/ble", BleEndpoint.HandleAsync);
        app.Map("/ws", ControllerEndpoint.HandleAsync);
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static async Task<Done> FlushAsync(IActorRef jobHistory)
    {
        try
        {
            await jobHistory.Ask<HistoryFlushed>(FlushHistory.Instance, TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // A stuck disk must not hold the shutdown: what was not written is reported interrupted next time.
        }

        return Done.Instance;
    }

    // Before the first job: what the last run left unfinished is failed as interrupted, then the history is pruned and read.
    private static List<JobSnapshot> RestoreJobs(JobHistoryStore history, JobSettings settings)
    {
        var now = DateTimeOffset.UtcNow;
        history.MarkInterrupted(now);
        history.Prune(settings.RetainFinished, now - settings.RetainFinishedFor);
        return [.. history.Load().Select(JobRecords.ToSnapshot).OfType<JobSnapshot>()];
    }

    /// <summary>The process exit code once the host has stopped: 1 when a top-level actor failed, else 0.</summary>
    public static int ExitCode(ActorSystem system) =>
        CoordinatedShutdown.Get(system).ShutdownReason is TopLevelActorFailed failed ? failed.ExitCode : 0;

    /// <summary>The URLs Kestrel binds: the usual ASP.NET Core `urls` setting, else 127.0.0.1:5580.</summary>
    public static IReadOnlyList<string> ListenUrls(IConfiguration configuration)
    {
        var configured = configuration["urls"];
        return string.IsNullOrWhiteSpace(configured)
            ? [ServerOptions.DefaultUrl]
            : configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static void ConfigureActors(AkkaConfigurationBuilder akka, ServerOptions server, ServiceDatabase database, string? hoconOverrides)
    {
        if (!string.IsNullOrWhiteSpace(hoconOverrides))
        {
            akka.AddHocon(hoconOverrides, HoconAddMode.Prepend);
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "hocon"), "*.hocon").Order())
        {
            akka.AddHoconFile(file, HoconAddMode.Append);
        }

        // Supervision of the top-level actors is decided here, not in a file: a failed one is stopped and the
        // host shuts down (docs/architecture.md, "Supervision").
        akka.AddHocon(TopLevelWatchdogActor.GuardianHocon, HoconAddMode.Prepend);
        akka.ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            // Our own bridge: each line names its actor (Akka.Hosting's names them all after the actor system).
            loggers.AddLogger<ActorSourceLogger>();
        });
        akka.WithActors((system, registry) =>
        {
            // Created before any actor records: the gauges exist (empty) from the first scrape.
            CommissioningMetrics.For(system);
            var proxySettings = ProxySettings.FromConfig(system.Settings.Config);
            var discoverySettings = DiscoverySettings.FromConfig(system.Settings.Config);
            var discovery = system.ActorOf(DiscoveryRegistryActor.Props(discoverySettings), "discovery");
            var scanIntent = proxySettings.ScanOnConnect ? system.ActorOf(ScanIntentActor.Props(), "scan-intent") : null;
            var gateSettings = GateSettings.FromConfig(system.Settings.Config);
            var connectionSettings = ConnectionSettings.FromConfig(system.Settings.Config);
            var attemptSettings = AttemptSettings.FromConfig(system.Settings.Config);
            TimeoutBudget.Validate(gateSettings, connectionSettings, proxySettings);
            if (TimeoutBudget.AttemptWarning(attemptSettings, gateSettings, connectionSettings, proxySettings) is { } warning)
            {
                system.Log.Warning(warning);
            }

            var proxies = system.ActorOf(ProxyManagerActor.Props(discovery, proxySettings, gateSettings), "proxies");
            // Before the BLE supervisor: its attempts commission over the winning link with the Matter services.
            var matter = MatterWiring.Start(system, database, MatterSettings.FromConfig(system.Settings.Config));
            var commissioning = system.ActorOf(CommissioningSupervisorActor.Props(discovery, proxies, attemptSettings, connectionSettings,
                attemptSettings.CommissionOverBle ? matter.Services : null), "commissioning");
            var jobSettings = JobSettings.FromConfig(system.Settings.Config);
            var history = new JobHistoryStore(database);
            var jobHistory = system.ActorOf(JobHistoryActor.Props(history, jobSettings), "job-history");
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "flush-job-history",
                () => FlushAsync(jobHistory));
            var jobs = system.ActorOf(JobManagerActor.Props(commissioning, jobSettings, jobHistory, RestoreJobs(history, jobSettings),
                matter.Commissioning), "jobs");
            var events = system.ActorOf(EventHubActor.Props(discoverySettings), "events");
            EventHubActor.SubscribeTo(system.EventStream, events);
            var services = new ControllerServices(jobs, events, system.Materializer(namePrefix: "followers"), server.MaxMessageBytes,
                jobSettings.FollowerBuffer, matter.Services);
            var controllers = system.ActorOf(ControllerHubActor.Props(services), "controllers");
            registry.Register<DiscoveryRegistryActor>(discovery);
            registry.Register<ProxyManagerActor>(proxies);
            registry.Register<CommissioningSupervisorActor>(commissioning);
            registry.Register<JobManagerActor>(jobs);
            registry.Register<EventHubActor>(events);
            registry.Register<ControllerHubActor>(controllers);
            var topLevel = new Dictionary<string, IActorRef>
            {
                ["discovery"] = discovery,
                ["proxies"] = proxies,
                ["commissioning"] = commissioning,
                ["jobs"] = jobs,
                ["job-history"] = jobHistory,
                ["events"] = events,
                ["controllers"] = controllers,
            };
            if (scanIntent is not null)
            {
                topLevel["scan-intent"] = scanIntent;
            }

            matter.Register(registry, topLevel);

            system.ActorOf(TopLevelWatchdogActor.Props(topLevel), "watchdog");
        });
    }
}
