using System.Diagnostics;
using System.Net.WebSockets;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Simulator.Tests;

/// <summary>Runs the standalone simulator program as a child process against the in-test server.</summary>
public sealed class ProgramTests
{
    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CommissioningActors.Simulator.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    [Fact]
    public async Task Cli_connects_with_its_options_answers_commands_and_exits_when_the_server_closes()
    {
        await using var server = new TestBleServer();
        using var process = Start("--url", server.Url.ToString(), "--slots", "1", "--token", "t0k", "--name", "cli-proxy");
        var output = process.StandardOutput.ReadToEndAsync();
        try
        {
            var session = await server.Session;
            Assert.Equal("Bearer t0k", server.AuthorizationHeader);

            Assert.True((await session.CommandAsync(new Connect("C0:FF:EE:00:00:01"))).Success);
            Assert.Equal(BleErrorCodes.OutOfConnectionSlots, (await session.CommandAsync(new Connect("C0:FF:EE:00:01:01"))).Error);

            await session.CloseAsync();
            await process.WaitForExitAsync().WaitAsync(TestBleServer.Timeout);
            Assert.Equal(0, process.ExitCode);
            var text = await output;
            Assert.Contains("cli-proxy", text);
            Assert.Contains("connect", text);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task Cli_without_url_prints_usage_and_fails()
    {
        using var process = Start("--slots", "2");
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestBleServer.Timeout);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("usage", await error);
    }
}
