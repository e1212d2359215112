using CommissioningActors.Host.Security;
using Serilog;
using Serilog.Core;
using Serilog.Formatting.Compact;

namespace CommissioningActors.Host.Hosting;

/// <summary>
/// Serilog from the "Serilog" configuration section, plus two switches: Logs:Json (compact JSON on the console)
/// and Logs:File (a daily rolling compact-JSON file).
/// </summary>
public static class LoggingSetup
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static void Configure(LoggerConfiguration logger, IConfiguration configuration, ILogEventSink? extraSink = null)
    {
        logger.ReadFrom.Configuration(configuration).Enrich.FromLogContext()
            // Last enricher, so it also sees what configured enrichers add; runs before every sink, configured ones too.
            .Enrich.With<QueryTokenRedactor>()
            // A follower overflowing is a slow client, not a server fault: the session logs it as a warning.
            .Filter.ByExcluding(e => e.MessageTemplate.Text.StartsWith("Failing because buffer is full", StringComparison.Ordinal))
            // A refused bind is reported once, without a stack trace, by HostRunner; the host's own report would repeat it.
            .Filter.ByExcluding(e => e.Exception?.GetBaseException() is BindRefusedException);
        if (configuration.GetValue<bool>("Logs:Json"))
        {
            logger.WriteTo.Console(new CompactJsonFormatter());
        }
        else
        {
            logger.WriteTo.Console(outputTemplate: ConsoleTemplate);
        }

        if (extraSink is not null)
        {
            logger.WriteTo.Sink(extraSink);
        }

        var file = configuration["Logs:File"];
        if (!string.IsNullOrWhiteSpace(file))
        {
            logger.WriteTo.File(new CompactJsonFormatter(), file, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 7);
        }
    }
}
