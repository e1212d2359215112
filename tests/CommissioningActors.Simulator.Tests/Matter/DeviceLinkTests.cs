using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Simulator.Tests.Matter;

/// <summary>A link that keeps what the device sends; reliable like BTP, so the device runs no MRP on it.</summary>
internal sealed class CapturingLink(bool reliable = true) : IMatterDeviceTransport
{
    public Queue<byte[]> Sent { get; } = new();

    public bool IsReliable => reliable;

    public void Send(ReadOnlyMemory<byte> message) => Sent.Enqueue(message.ToArray());
}

/// <summary>The transport-agnostic device over an in-memory reliable link: whole messages in and out.</summary>
public sealed class DeviceLinkTests : IDisposable
{
    private readonly SimulatedMatterDevice _device = new(new SimulatedDeviceOptions { VendorName = "Linked" });
    private readonly CapturingLink _link = new();
    private readonly ulong _ephemeral = 0x1122334455667788;
    private uint _counter = 100;

    public void Dispose() => _device.Dispose();

    private MatterMessage Exchange(byte opcode, byte[] payload, SimulatedMatterDevice? device = null)
    {
        (device ?? _device).Receive(_link, MessageCodec.Encode(new MatterMessage(
            new MessageHeader(0, SessionType.Unicast, _counter++, _ephemeral),
            new ExchangeHeader(opcode, 1, MatterProtocolId.SecureChannel, IsInitiator: true), payload)));
        var reply = MessageCodec.DecodeUnsecured(_link.Sent.Dequeue()).Value!;
        Assert.Empty(_link.Sent);
        return reply;
    }

    private SessionEstablished Pase(uint passcode, SimulatedMatterDevice? device = null)
    {
        var initiator = new PaseInitiator(passcode, 0x0101);
        var send = initiator.Start();
        while (true)
        {
            var reply = Exchange((byte)send.Opcode, send.Payload, device);
            Assert.Equal(_ephemeral, reply.Header.DestinationNodeId);
            Assert.Null(reply.Exchange.AckedCounter);
            var step = initiator.Receive(reply.Exchange.Opcode, reply.Payload);
            if (step.Outcome is not null)
            {
                return Assert.IsType<SessionEstablished>(step.Outcome);
            }

            send = step.Send!;
        }
    }

    [Fact]
    public void PASE_then_a_read_over_a_reliable_link_with_no_MRP_acks()
    {
        var session = Pase(20202021);
        using var codec = new SecureMessageCodec(session.EncryptKey, session.DecryptKey, 0, 0);
        var read = new ReadRequestMessage([new AttributePath(0, ClusterIds.BasicInformation, 1)], true).Encode();
        _device.Receive(_link, codec.Seal(new MessageHeader(session.PeerSessionId, SessionType.Unicast, 5),
            new ExchangeHeader((byte)InteractionModelOpcode.ReadRequest, 9, MatterProtocolId.InteractionModel, true), read));

        var packet = MessageCodec.DecodePacket(_link.Sent.Dequeue()).Value!;
        var reply = codec.Open(packet).Value!;
        Assert.False(reply.Exchange.RequiresAck);
        var report = ReportDataMessage.Decode(reply.Payload.Span).Value!;
        Assert.Equal("Linked", Assert.Single(report.AttributeReports).Data!.Data.AsString());
        Assert.Empty(_link.Sent);
        Assert.Equal(1, _device.SecureSessionCount);
    }

    [Fact]
    public void Fail_safe_expiry_closes_the_PASE_session()
    {
        var time = new ManualTime();
        using var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { Time = time });
        Pase(20202021, device);
        device.Inspect(s =>
        {
            s.FailSafe.Arm(60, 0);
            return 0;
        });
        time.Advance(TimeSpan.FromSeconds(59));
        device.Tick();
        Assert.Equal(1, device.SecureSessionCount);

        time.Advance(TimeSpan.FromSeconds(2));
        device.Tick();

        Assert.Equal(0, device.SecureSessionCount);
        Assert.False(device.Inspect(s => s.FailSafe.IsArmed));
    }

    [Fact]
    public void A_wrong_passcode_fails_PASE_and_leaves_no_session()
    {
        var initiator = new PaseInitiator(11223344, 0x0101);
        var send = initiator.Start();
        SessionStep step;
        do
        {
            var reply = Exchange((byte)send.Opcode, send.Payload);
            step = initiator.Receive(reply.Exchange.Opcode, reply.Payload);
            send = step.Send!;
        }
        while (step.Outcome is null && send is not null);

        Assert.IsType<SessionFailed>(step.Outcome);
        Assert.Equal(0, _device.SecureSessionCount);
    }

    [Fact]
    public void The_PASE_fault_knob_answers_Busy()
    {
        using var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { Fault = DeviceFaultStep.Pase });
        var start = new PaseInitiator(20202021, 1).Start();
        device.Receive(_link, MessageCodec.Encode(new MatterMessage(new MessageHeader(0, SessionType.Unicast, 1, 5),
            new ExchangeHeader((byte)start.Opcode, 1, MatterProtocolId.SecureChannel, true), start.Payload)));
        var reply = MessageCodec.DecodeUnsecured(_link.Sent.Dequeue()).Value!;
        Assert.True(reply.Exchange.Is(SecureChannelOpcode.StatusReport));
        Assert.Equal((ushort)SecureChannelStatusCode.Busy, StatusReport.Decode(reply.Payload).Value!.ProtocolCode);
    }

    [Fact]
    public void Random_and_truncated_messages_are_dropped_and_the_device_still_commissions()
    {
        var random = new Random(1234);
        var start = new PaseInitiator(20202021, 1).Start();
        var valid = MessageCodec.Encode(new MatterMessage(new MessageHeader(0, SessionType.Unicast, 1, 5),
            new ExchangeHeader((byte)start.Opcode, 1, MatterProtocolId.SecureChannel, true), start.Payload));
        var unreliable = new CapturingLink(reliable: false);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = i % 3 == 0 ? RandomNumberGenerator.GetBytes(random.Next(0, 300)) : valid[..random.Next(0, valid.Length)];
            if (i % 3 == 2 && bytes.Length > 0)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            }

            _device.Receive(i % 2 == 0 ? _link : unreliable, bytes);
            _device.Tick();
        }

        _link.Sent.Clear();
        Assert.Equal(0, _device.SecureSessionCount);
        Pase(20202021);
        Assert.Equal(1, _device.SecureSessionCount);
    }
}
