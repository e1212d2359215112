using System.CommandLine;
using System.Text.RegularExpressions;

namespace CommissioningActors.Host.Cli;

/// <summary>Exit codes: a job's verdict (0/1/2), or 3 when there is no verdict to give.</summary>
public static class CliExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Cancelled = 2;

    /// <summary>Server unreachable, refused or gone, a bad command line, or a request the server rejected.</summary>
    public const int Unavailable = 3;

    /// <summary>Ctrl+C while following: the job itself keeps running.</summary>
    public const int Interrupted = 130;
}

/// <summary>Knobs tests turn; the defaults are what a person at a terminal gets.</summary>
public sealed record CliSettings
{
    public TimeSpan ProgressAfter { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Let System.CommandLine turn Ctrl+C into cancellation (a real process); tests cancel a token instead.</summary>
    public bool HandleCtrlC { get; init; }

    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Where set-wifi / set-thread read a secret not given on the command line.</summary>
    public Func<TextReader> Input { get; init; } = () => Console.In;
}

/// <summary>
/// The command-line client of /ws, in the host's executable. Only arguments starting with a verb are ours; anything
/// else (no args, `serve`, `--urls ...`) runs the service, so ASP.NET Core style arguments keep working.
/// </summary>
public static partial class CliApp
{
    public const string DefaultUrl = "ws://127.0.0.1:5580/ws";
    public const string TokenVariable = "COMMISSIONING_TOKEN";

    private static readonly HashSet<string> Triggers = new(StringComparer.Ordinal)
    {
        "commission", "jobs", "follow", "events", "cancel", "--help", "-h", "-?",
    };

    public static bool IsCliInvocation(IReadOnlyList<string> args) => args.Count > 0 && (Triggers.Contains(args[0]) || MatterVerbs.Contains(args[0]));

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error,
        CliSettings? settings = null, CancellationToken cancellationToken = default)
    {
        settings ??= new CliSettings();
        var root = Build(new CliContext(output, error, settings));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {Redact(e.Message)}");
            }

            await error.WriteLineAsync("run with --help for usage");
            return CliExitCodes.Unavailable;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            ProcessTerminationTimeout = settings.HandleCtrlC ? TimeSpan.FromSeconds(2) : null,
        }, cancellationToken);
    }

    private static RootCommand Build(CliContext context)
    {
        var url = new Option<string>("--url")
        {
            Description = "The service's controller endpoint",
            DefaultValueFactory = _ => DefaultUrl,
            Recursive = true,
        };
        // No default value factory: help would print the token.
        var token = new Option<string?>("--token")
        {
            Description = $"Shared token, sent as Authorization: Bearer (default: ${TokenVariable})",
            Recursive = true,
        };

        var root = new RootCommand("CommissioningActors: run the service (no verb, or `serve`), or drive it over /ws.")
        {
            Options = { url, token },
        };
        root.Add(new Command("serve", "Run the service (the default); takes ASP.NET Core arguments such as --urls"));

        var code = new Argument<string>("code")
        {
            Description = "Matter manual pairing code (11 or 21 digits) or MT: QR payload; with --network also the setup PIN (up to 8 digits)",
        };
        var label = new Option<string?>("--label") { Description = "A name for the job, shown in jobs and events" };
        var timeout = new Option<int?>("--timeout") { Description = "Give up after this many seconds (1-3600)", HelpName = "seconds" };
        var follow = new Option<bool>("--follow") { Description = "Follow the job to its verdict (exit codes as for follow)" };
        var network = new Option<bool>("--network") { Description = "Commission on the IP network instead of over BLE; CODE may then be the 8-digit setup PIN" };
        var ip = new Option<string?>("--ip") { Description = "The device's address (implies --network; default port 5540)", HelpName = "host[:port]" };
        var commission = new Command("commission", "Commission a device by its setup code; prints the job id") { code, label, timeout, follow, network, ip };
        commission.SetAction((r, ct) => context.RunAsync(r, url, token, ct, (client, ct) => CliCommands.CommissionAsync(client, context,
            new CommissionOptions(r.GetRequiredValue(code), r.GetValue(label), r.GetValue(timeout), r.GetValue(network) || r.GetValue(ip) is not null, r.GetValue(ip)),
            r.GetValue(follow), ct)));
        root.Add(commission);

        var jobs = new Command("jobs", "List jobs");
        jobs.SetAction((r, ct) => context.RunAsync(r, url, token, ct, (client, ct) => CliCommands.JobsAsync(client, context, ct)));
        root.Add(jobs);

        var followId = new Argument<string>("job-id");
        var followJob = new Command("follow", "Print a job's output until its verdict; exit 0 completed, 1 failed, 2 cancelled, 3 no verdict") { followId };
        followJob.SetAction((r, ct) => context.RunAsync(r, url, token, ct, (client, ct) =>
            CliCommands.FollowAsync(client, context, r.GetRequiredValue(followId), ct)));
        root.Add(followJob);

        var events = new Command("events", "Print the service's state, then one line per event until Ctrl+C");
        events.SetAction((r, ct) => context.RunAsync(r, url, token, ct, (client, ct) => CliCommands.EventsAsync(client, context, ct)));
        root.Add(events);

        var cancelId = new Argument<string>("job-id");
        var cancel = new Command("cancel", "Ask a running job to stop") { cancelId };
        cancel.SetAction((r, ct) => context.RunAsync(r, url, token, ct, (client, ct) =>
            CliCommands.CancelAsync(client, context, r.GetRequiredValue(cancelId), ct)));
        root.Add(cancel);
        AddMatterCommands(root, context, url, token);
        return root;
    }

    /// <summary>Parse errors quote tokens; a mistyped command line must still not echo a setup code.</summary>
    internal static string Redact(string text) => SecretLike().Replace(text, "<redacted>");

    [GeneratedRegex(@"MT:\S+|\d[\d\s-]{6,}\d", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLike();
}
