using System.Diagnostics;
using System.Net.WebSockets;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Simulator.Matter;
using CommissioningActors.Simulator.Tests.Matter;

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

    private static async Task<string> LineAsync(Process process, string contains)
    {
        using var timeout = new CancellationTokenSource(TestBleServer.Timeout);
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(contains, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"the simulator exited without printing '{contains}'");
    }

    [Fact]
    public async Task Cli_devices_are_commissionees_over_BTP_and_a_joined_device_prints_its_operational_address()
    {
        await using var server = new TestBleServer();
        using var process = Start("--url", server.Url.ToString(), "--name", "cli-proxy");
        try
        {
            var session = await server.Session;
            using var commissioner = await BleTestCommissioner.OpenAsync(session, "C0:FF:EE:00:00:01");
            Assert.IsType<SessionEstablished>(await commissioner.PaseAsync(20202021));
            Assert.Null((await commissioner.InvokeAsync(GeneralCommissioningCommands.ArmFailSafe(60, 1))).Status);
            using var authority = FabricAuthority.Create(0xCAFE, 1);
            using var attestation = DeviceAttestationCredentials.Test();
            await commissioner.JoinFabricAsync(authority, attestation.Dac, 0x42);
            await commissioner.InvokeAsync(NetworkCommissioningCommands.AddOrUpdateWiFiNetwork("cli-net"u8, "secret"u8, 1));
            var connected = await commissioner.InvokeAsync(NetworkCommissioningCommands.ConnectNetwork("cli-net"u8, 2));
            Assert.True(ConnectNetworkResponse.Parse(connected.Command!.Fields!).Value!.IsOk);

            var line = await LineAsync(process, "operational: ");
            Assert.Matches(@"operational: device 'Test Light \(rotating address\)' is on the network: udp 127\.0\.0\.1:\d+, operational instance [0-9A-F]{16}-0000000000000042", line);
            Assert.DoesNotContain("20202021", line);
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
    public async Task Cli_fault_for_one_discriminator_fails_that_devices_PASE_only()
    {
        await using var server = new TestBleServer();
        using var process = Start("--url", server.Url.ToString(), "--fault", "3840=Pase", "--ble-after-network", "drop");
        try
        {
            var session = await server.Session;
            using var light = await BleTestCommissioner.OpenAsync(session, "C0:FF:EE:00:00:01");
            Assert.Equal(SessionFailureKind.PeerRejected, Assert.IsType<SessionFailed>(await light.PaseAsync(20202021)).Kind);
            using var plug = await BleTestCommissioner.OpenAsync(session, "C0:FF:EE:00:01:01");
            Assert.IsType<SessionEstablished>(await plug.PaseAsync(24681357));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Theory]
    [InlineData("--fault", "4096=Pase")]
    [InlineData("--fault", "3840=Sometimes")]
    [InlineData("--fault", "3840=2")]
    [InlineData("--ble-after-network", "later")]
    public async Task Cli_refuses_a_bad_fault_or_ble_setting_with_usage(string flag, string value)
    {
        using var process = Start("--url", "ws://127.0.0.1:9/ble", flag, value);
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestBleServer.Timeout);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains($"bad argument: {flag} {value}", await error);
    }
}
