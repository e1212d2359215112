using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Simulator.Matter;

/// <summary>Session establishment on the unsecured session: PASE with the passcode's verifier, CASE for our fabrics.</summary>
public sealed partial class SimulatedMatterDevice
{
    private void OnEstablishmentMessage(DeviceSession session, DeliverMessage deliver)
    {
        var message = deliver.Message;
        var exchange = deliver.Exchange;
        if (message.Exchange.Protocol != MatterProtocolId.SecureChannel)
        {
            Handle(session, session.Exchanges.Close(exchange));
            return;
        }

        var opcode = (SecureChannelOpcode)message.Exchange.Opcode;
        SessionStep step;
        if (opcode == SecureChannelOpcode.PbkdfParamRequest)
        {
            if (Options.Fault == DeviceFaultStep.Pase)
            {
                Reject(session, exchange, new StatusReport(GeneralStatusCode.Busy, MatterProtocolId.SecureChannel, (ushort)SecureChannelStatusCode.Busy));
                return;
            }

            EndEstablishment(session);
            var pase = new PaseResponder(_w0, _l, _pbkdf, NewSessionId());
            session.Establishing = (exchange, pase, null);
            step = pase.Receive(message.Exchange.Opcode, message.Payload);
        }
        else if (opcode == SecureChannelOpcode.Sigma1)
        {
            var responder = Options.Fault == DeviceFaultStep.Case ? null : CaseResponderFor(message.Payload);
            if (responder is null)
            {
                Reject(session, exchange, new StatusReport(GeneralStatusCode.Failure, MatterProtocolId.SecureChannel, (ushort)SecureChannelStatusCode.NoSharedTrustRoots));
                return;
            }

            EndEstablishment(session);
            session.Establishing = (exchange, null, responder.Value.Responder);
            step = responder.Value.Responder.Receive(message.Exchange.Opcode, message.Payload);
            session.FabricIndex = responder.Value.Fabric.Index;
        }
        else if (session.Establishing is { } running && running.Exchange == exchange)
        {
            step = running.Pase?.Receive(message.Exchange.Opcode, message.Payload)
                ?? running.Case!.Receive(message.Exchange.Opcode, message.Payload);
        }
        else
        {
            Handle(session, session.Exchanges.Close(exchange));
            return;
        }

        if (step.Send is { } send)
        {
            Handle(session, session.Exchanges.Send(exchange, (byte)send.Opcode, send.Payload, protocol: MatterProtocolId.SecureChannel));
        }

        switch (step.Outcome)
        {
            case SessionEstablished established:
                var fabric = established.PeerNodeId is null ? null : State.Fabric(session.FabricIndex);
                AddSecureSession(DeviceSession.Secure(session.Link, established, Model, fabric?.NodeId ?? 0, fabric?.Index ?? 0, _log));
                _log($"{(fabric is null ? "PASE" : "CASE")} session {established.LocalSessionId} established");
                EndEstablishment(session);
                Handle(session, session.Exchanges.Close(exchange));
                break;
            case SessionFailed failed:
                _log($"session establishment failed: {failed.Kind}");
                EndEstablishment(session);
                Handle(session, session.Exchanges.Close(exchange));
                break;
        }
    }

    private (CaseResponder Responder, DeviceFabric Fabric)? CaseResponderFor(ReadOnlyMemory<byte> payload)
    {
        var sigma1 = Sigma1.Decode(payload);
        if (!sigma1.IsOk)
        {
            return null;
        }

        foreach (var fabric in State.Fabrics)
        {
            var id = CaseKeySchedule.DestinationId(fabric.Case.OperationalIpk, sigma1.Value!.InitiatorRandom, fabric.Root.PublicKey, fabric.FabricId, fabric.NodeId);
            if (CryptographicOperations.FixedTimeEquals(id, sigma1.Value.DestinationId))
            {
                return (new CaseResponder(fabric.Case, fabric.NodeId, NewSessionId(), fabric.Validator(Options.Time)), fabric);
            }
        }

        return null;
    }

    private void Reject(DeviceSession session, ExchangeKey exchange, StatusReport report)
    {
        Handle(session, session.Exchanges.Send(exchange, (byte)SecureChannelOpcode.StatusReport, report.Encode(), protocol: MatterProtocolId.SecureChannel));
        Handle(session, session.Exchanges.Close(exchange));
    }

    private static void EndEstablishment(DeviceSession session)
    {
        session.Establishing?.Case?.Dispose();
        session.Establishing = null;
    }

    private void AddSecureSession(DeviceSession session)
    {
        if (_secure.Count >= MaxSecureSessions)
        {
            CloseSession(_secure.Values.MinBy(s => s.LastUsed)!.LocalSessionId);
        }

        _secure[session.LocalSessionId] = session;
    }
}
