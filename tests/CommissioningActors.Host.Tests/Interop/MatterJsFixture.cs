using System.Diagnostics;
using System.Text.Json;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>
/// Where the matter.js fixture (tests/fixtures/matterjs) and Node live. Missing pieces fail loudly, never skip:
/// interop tests that silently pass without their peer prove nothing.
/// </summary>
public sealed record MatterJsFixture(string Directory, string Node)
{
    public const string PinnedVersion = "0.17.9";
    public const string RelativeDirectory = "tests/fixtures/matterjs";

    private static readonly Lazy<MatterJsFixture> Default = new(() => Locate(FindFixtureDirectory()));

    /// <summary>The repository's fixture, checked once per test run.</summary>
    public static MatterJsFixture Instance => Default.Value;

    public string Script(string name) => Path.Combine(Directory, name);

    /// <summary>
    /// Checks the fixture directory, its installed packages and Node (searched on <paramref name="searchPath"/>,
    /// default PATH); throws with the fix when one is missing.
    /// </summary>
    public static MatterJsFixture Locate(string directory, string? searchPath = null)
    {
        if (!File.Exists(Path.Combine(directory, "package.json")) || !File.Exists(Path.Combine(directory, "device.mjs")))
        {
            throw new MatterJsFixtureMissingException($"the matter.js fixture is not at {directory} (package.json and device.mjs expected).");
        }

        var installed = Path.Combine(directory, "node_modules", "@matter", "main", "package.json");
        if (!File.Exists(installed))
        {
            throw new MatterJsFixtureMissingException(
                $"the matter.js packages are not installed: run `npm ci` in {directory} (needs Node >= 20 and the npm registry).");
        }

        var version = ReadVersion(installed);
        if (version != PinnedVersion)
        {
            throw new MatterJsFixtureMissingException(
                $"@matter/main {version} is installed but {PinnedVersion} is pinned: run `npm ci` in {directory}.");
        }

        var nodePath = FindOnPath("node", searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "")
            ?? throw new MatterJsFixtureMissingException(
                $"Node.js (>= 20) is not on PATH; install it, then run `npm ci` in {directory}.");
        return new MatterJsFixture(directory, nodePath);
    }

    private static string? ReadVersion(string packageJson)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(packageJson));
        return document.RootElement.TryGetProperty("version", out var v) ? v.GetString() : null;
    }

    private static string FindFixtureDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, RelativeDirectory);
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new MatterJsFixtureMissingException($"no {RelativeDirectory} above {AppContext.BaseDirectory}.");
    }

    private static string? FindOnPath(string program, string path)
    {
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>A started `node SCRIPT ARGS` with every stream redirected, inside <paramref name="network"/> when given.</summary>
    internal Process StartScript(string script, IEnumerable<string> args, NetworkNamespace? network = null)
    {
        var info = new ProcessStartInfo(network is null ? Node : "nsenter")
        {
            WorkingDirectory = Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        IEnumerable<string> command = [Script(script), .. args];
        foreach (var arg in network is null ? command : network.Enter([Node, .. command]))
        {
            info.ArgumentList.Add(arg);
        }

        // matter.js logs to stderr only (MATTER_LOG_LEVEL=debug from the shell shows every message in failures).
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {Node} {script}");
    }
}

public sealed class MatterJsFixtureMissingException(string message)
    : Exception("matter.js interop fixture unavailable: " + message);
