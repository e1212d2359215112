using System.Text;
using CommissioningActors.Host.Cli;

namespace CommissioningActors.Host.Tests.Cli;

/// <summary>Runs the CLI entry point in-process with stdout and stderr captured; readable while it still runs.</summary>
public sealed class CliRun
{
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly TextWriter _outWriter;
    private readonly TextWriter _errWriter;

    private CliRun()
    {
        // Synchronized: a follow writes progress from its own task while the test reads.
        _outWriter = TextWriter.Synchronized(new StringWriter(_out));
        _errWriter = TextWriter.Synchronized(new StringWriter(_err));
    }

    public Task<int> Exit { get; private set; } = Task.FromResult(0);

    public string Out
    {
        get
        {
            lock (_outWriter)
            {
                return _out.ToString();
            }
        }
    }

    public string Err
    {
        get
        {
            lock (_errWriter)
            {
                return _err.ToString();
            }
        }
    }

    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static CliRun Start(CliSettings? settings, CancellationToken cancellationToken, params string[] args)
    {
        var run = new CliRun();
        run.Exit = Task.Run(() => CliApp.RunAsync(args, run._outWriter, run._errWriter, settings ?? Quick, cancellationToken));
        return run;
    }

    /// <summary>Runs to the end (bounded, so a hung CLI fails the test instead of the run).</summary>
    public static async Task<(int Exit, CliRun Run)> RunAsync(params string[] args) => await RunAsync(null, args);

    public static async Task<(int Exit, CliRun Run)> RunAsync(CliSettings? settings, params string[] args)
    {
        var run = Start(settings, CancellationToken.None, args);
        var exit = await run.Exit.WaitAsync(TimeSpan.FromSeconds(30));
        return (exit, run);
    }

    public static readonly CliSettings Quick = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        Environment = _ => null,
    };
}
