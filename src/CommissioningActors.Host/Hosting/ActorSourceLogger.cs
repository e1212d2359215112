using System.Collections.Concurrent;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace CommissioningActors.Host.Hosting;

/// <summary>
/// Akka's logger: forwards every Akka log event to Microsoft.Extensions.Logging (Serilog) under the category of the
/// actor's class, with the actor's path and the job/proxy/node id found in it as properties. Akka.Hosting's own
/// bridge names every line after the actor system.
/// </summary>
public sealed class ActorSourceLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    // Categories are actor classes, a bounded set: a category per path would grow the factory's cache per job.
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new();
    private readonly ILoggerFactory _factory;

    public ActorSourceLogger()
    {
        _factory = DependencyResolver.For(Context.System).Resolver.GetService<ILoggerFactory>();
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Forward);
    }

    private void Forward(LogEvent e)
    {
        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => LogLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => LogLevel.Information,
            Akka.Event.LogLevel.WarningLevel => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        var category = ActorLogContext.Category(e);
        var logger = _loggers.GetOrAdd(category, _factory.CreateLogger);
        if (!logger.IsEnabled(level))
        {
            return;
        }

        using (logger.BeginScope(ActorLogContext.Properties(e.LogSource)))
        {
            if (e.Message is LogMessage message)
            {
                // Akka's format and arguments become the template and its properties (kept by compact JSON).
                logger.Log(level, e.Cause, message.Format, [.. message.Parameters()]);
            }
            else
            {
                logger.Log(level, e.Cause, "{AkkaMessage}", e.Message?.ToString());
            }
        }
    }
}
