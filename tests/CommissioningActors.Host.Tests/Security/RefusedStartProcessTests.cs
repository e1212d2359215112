using System.Diagnostics;
using System.Net;
using CommissioningActors.Host.Tests.Support;
using System.Net.Sockets;
using CommissioningActors.Host.Hosting;

namespace CommissioningActors.Host.Tests.Security;

/// <summary>The built service as a child process: a refused bind is one log line and exit code 1.</summary>
public sealed class RefusedStartProcessTests
{
    [Theory]
    [InlineData("argument")]
    [InlineData("environment")]
    public async Task Kestrel_endpoints_beyond_loopback_without_a_token_exit_1_with_one_error_line(string source)
    {
        var url = $"http://0.0.0.0:{FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CommissioningHost).Assembly.Location);
        start.ArgumentList.Add("--Simulator:Enabled=false");
        var storage = TestHost.NewStorageDirectory();
        start.ArgumentList.Add($"--Storage:Directory={storage}");
        if (source == "argument")
        {
            start.ArgumentList.Add($"--Kestrel:Endpoints:Http:Url={url}");
        }
        else
        {
            start.Environment["Kestrel__Endpoints__Http__Url"] = url;
        }

        start.Environment.Remove("Server__Token");
        start.Environment.Remove("ASPNETCORE_URLS");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);

        if (Directory.Exists(storage))
        {
            Directory.Delete(storage, recursive: true);
        }

        var lines = (await stdout + await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single(lines);
        Assert.Contains("FTL", line, StringComparison.Ordinal);
        Assert.Contains("Refusing to start: listening on 0.0.0.0:", line, StringComparison.Ordinal);
        Assert.Contains("Server:Token", line, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
