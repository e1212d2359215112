using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Simulator.Tests.Matter;

/// <summary>The simulator program's --matter-udp mode: one device on loopback that answers PASE's first message.</summary>
public sealed partial class MatterDeviceCliTests
{
    [GeneratedRegex(@"listening on udp 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    [Fact]
    public async Task Cli_serves_a_device_on_loopback_that_answers_a_PBKDFParamRequest_and_never_prints_the_passcode()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CommissioningActors.Simulator.dll"));
        foreach (var arg in new[] { "--matter-udp", "0", "--passcode", "20202077" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var port = int.Parse(Listening().Match(line!).Groups[1].Value);
            Assert.DoesNotContain("20202077", line);

            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var start = new PaseInitiator(20202077, 1).Start();
            var request = MessageCodec.Encode(new MatterMessage(new MessageHeader(0, SessionType.Unicast, 1, 99),
                new ExchangeHeader((byte)start.Opcode, 3, MatterProtocolId.SecureChannel, true, RequiresAck: true), start.Payload));
            await udp.SendAsync(request, new IPEndPoint(IPAddress.Loopback, port));
            var reply = MessageCodec.DecodeUnsecured((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(30))).Buffer).Value!;

            Assert.True(reply.Exchange.Is(SecureChannelOpcode.PbkdfParamResponse));
            Assert.Equal(1u, reply.Exchange.AckedCounter);
            Assert.Equal(99UL, reply.Header.DestinationNodeId);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
