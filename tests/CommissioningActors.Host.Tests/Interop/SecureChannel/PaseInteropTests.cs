using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit.Abstractions;

namespace CommissioningActors.Host.Tests.Interop.SecureChannel;

/// <summary>
/// Our PASE initiator against a real matter.js device over UDP on loopback: unsecured establishment with MRP,
/// then a secured Interaction Model read over the new session. Proves TLV, headers, AES-CCM and SPAKE2+
/// interoperate with an independent peer.
/// </summary>
public sealed class PaseInteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Pase_with_the_right_passcode_establishes_a_session_the_device_answers_a_secured_read_on()
    {
        const uint passcode = 20202031;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 101 });
        using var link = MatterUdpLink.Unsecured(device.EndPoint);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var outcome = await RunPaseAsync(link, new PaseInitiator(passcode, 0x2001));
        output.WriteLine($"PASE with matter.js took {started.Elapsed.TotalMilliseconds:F0} ms: {string.Join(", ", link.Trace)}");

        var session = Assert.IsType<SessionEstablished>(outcome);
        Assert.NotEqual(0, session.PeerSessionId);
        Assert.Equal(TimeSpan.FromMilliseconds(500), session.PeerParameters.Mrp.IdleInterval);
        Assert.NotNull(session.PeerParameters.InteractionModelRevision);

        using var secure = link.Secured(session);
        var read = secure.Exchanges.StartExchange(MatterProtocolId.InteractionModel);
        await secure.SendAsync(secure.Exchanges.Send(read, (byte)InteractionModelOpcode.ReadRequest, ReadAttribute(0, 0x28, 1)));
        var report = await secure.ReceiveAsync(read, StepTimeout);
        await secure.SendAsync(secure.Exchanges.Close(read));
        output.WriteLine($"PASE + secured read took {started.Elapsed.TotalMilliseconds:F0} ms: {string.Join(", ", secure.Trace)}");

        Assert.True(report.Exchange.Is(InteractionModelOpcode.ReportData), string.Join(", ", secure.Trace));
        Assert.Equal(session.LocalSessionId, report.Header.SessionId);
        Assert.NotNull(report.Exchange.AckedCounter);
        Assert.Equal("matter.js fixture", VendorName(report.Payload));
    }

    [Fact]
    public async Task Pase_with_a_wrong_passcode_fails_clearly_without_the_passcode_and_the_device_stays_commissionable()
    {
        const uint passcode = 20202032;
        const uint wrong = 20202099;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 102 });

        SessionOutcome outcome;
        using (var link = MatterUdpLink.Unsecured(device.EndPoint))
        {
            outcome = await RunPaseAsync(link, new PaseInitiator(wrong, 0x2002));
        }

        var failed = Assert.IsType<SessionFailed>(outcome);
        Assert.Equal(SessionFailureKind.WrongPasscode, failed.Kind);
        Assert.Contains("the device rejected the passcode", failed.Reason);
        Assert.DoesNotContain(wrong.ToString(), failed.ToString());
        Assert.DoesNotContain(passcode.ToString(), failed.ToString());

        // We told the device (StatusReport InvalidParameter): it takes a new attempt with the right passcode.
        using var retry = MatterUdpLink.Unsecured(device.EndPoint);
        Assert.IsType<SessionEstablished>(await RunPaseAsync(retry, new PaseInitiator(passcode, 0x2003)));
    }

    /// <summary>PASE in one exchange: each of our messages waits for the device's answer (piggy-backing its ack).</summary>
    private static async Task<SessionOutcome> RunPaseAsync(MatterUdpLink link, PaseInitiator pase)
    {
        var exchange = link.Exchanges.StartExchange(MatterProtocolId.SecureChannel);
        var send = pase.Start();
        while (true)
        {
            await link.SendAsync(link.Exchanges.Send(exchange, (byte)send.Opcode, send.Payload));
            var reply = await link.ReceiveAsync(exchange, StepTimeout);
            Assert.Equal(MatterProtocolId.SecureChannel, reply.Exchange.Protocol);
            var step = pase.Receive(reply.Exchange.Opcode, reply.Payload);
            if (step.Outcome is not null)
            {
                if (step.Send is { } last)
                {
                    await link.SendAsync(link.Exchanges.Send(exchange, (byte)last.Opcode, last.Payload, reliable: false));
                }

                await link.SendAsync(link.Exchanges.Close(exchange));
                return step.Outcome;
            }

            send = step.Send!;
        }
    }

    /// <summary>ReadRequest {0 AttributeRequests [AttributePathIB list {2 endpoint, 3 cluster, 4 attribute}], 3 isFabricFiltered, 255 IM revision}.</summary>
    private static byte[] ReadAttribute(ushort endpoint, uint cluster, uint attribute) => new TlvWriter()
        .StartStructure(TlvTag.Anonymous)
        .StartArray(TlvTag.Context(0))
        .StartList(TlvTag.Anonymous)
        .WriteUnsigned(TlvTag.Context(2), endpoint)
        .WriteUnsigned(TlvTag.Context(3), cluster)
        .WriteUnsigned(TlvTag.Context(4), attribute)
        .EndContainer()
        .EndContainer()
        .WriteBool(TlvTag.Context(3), true)
        .WriteUnsigned(TlvTag.Context(255), 12)
        .EndContainer()
        .ToArray();

    /// <summary>ReportData {1 AttributeReportIBs [{1 AttributeDataIB {0 version, 1 path, 2 data}}]}: the data string.</summary>
    private static string? VendorName(ReadOnlyMemory<byte> payload)
    {
        var report = TlvDecoder.Decode(payload.Span);
        Assert.True(report.IsOk, report.Error?.ToString());
        var reports = report.Value![1]?.AsContainer();
        Assert.NotNull(reports);
        return Assert.Single(reports)[1]?[2]?.AsString();
    }
}
