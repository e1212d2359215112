using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Proxies;

/// <summary>The handshake: until a valid hello, nothing else is accepted; the hello sizes the proxy's gate.</summary>
public sealed partial class ProxySessionActor
{
    private void AwaitingHello()
    {
        Receive<SocketTextReceived>(frame =>
        {
            var parsed = BleProxyCodec.ParseClientMessage(frame.Utf8, _settings.MaxFrameBytes);
            if (!parsed.IsOk && BleProxyCodec.IsBadHello(parsed.Error!))
            {
                // A hello with a bad field (e.g. connection_slots 0) is refused with a reason the client can show.
                var why = ProxyPeerText.Text(parsed.Error!.Message);
                _log.Warning("Proxy {0} ({1}) sent an invalid hello: {2}", _proxyId, _name, why);
                Send(new HelloResponse(BleProxyCodec.ProtocolVersion, BleProxyCodec.InvalidHello, why));
                CloseAndStop(1002, BleProxyCodec.InvalidHello);
                return;
            }

            if (parsed.Value is not Hello hello)
            {
                var why = parsed.IsOk ? $"expected hello, got {parsed.Value!.GetType().Name}" : ProxyPeerText.Text(parsed.Error!.ToString());
                _log.Warning("Proxy {0} ({1}) broke the handshake: {2}", _proxyId, _name, why);
                CloseAndStop(1002, "expected hello as the first frame");
                return;
            }

            if (hello.Version != BleProxyCodec.ProtocolVersion)
            {
                _log.Warning("Proxy {0} ({1}) speaks protocol version {2}; only {3} is supported",
                    _proxyId, _name, hello.Version, BleProxyCodec.ProtocolVersion);
                Send(new HelloResponse(BleProxyCodec.ProtocolVersion, BleProxyCodec.UnsupportedVersion,
                    $"protocol version {hello.Version} is not supported; this server speaks {BleProxyCodec.ProtocolVersion}"));
                CloseAndStop(1002, BleProxyCodec.UnsupportedVersion);
                return;
            }

            Timers.Cancel(nameof(HelloTimedOut));

            // The gate is made once the hello has said how many connections the proxy can hold. A child, so the
            // gate (and with it every queued connect) goes when the proxy goes.
            var capacity = _gateSettings.CapacityFor(_configName, hello.ConnectionSlots);
            _gate = Context.Watch(Context.ActorOf(
                ConnectGateActor.Props(_proxyId, capacity.Slots, _gateSettings.MaxWait), "gate"));
            Send(new HelloResponse(BleProxyCodec.ProtocolVersion));
            _ready = true;
            _log.Info("Proxy {0} ({1}) connected: handshake complete, {2} connection slot(s) from {3}",
                _proxyId, _name, capacity.Slots, capacity.Source);
            Context.Parent.Tell(new ProxySessionReady(_proxyId, _gate));
            Context.System.EventStream.Publish(new ProxyConnected(_proxyId, _name, Self, _gate, capacity.Slots, capacity.Source));
            Become(Ready);
        });
        Receive<SocketBinaryReceived>(_ => CloseAndStop(1002, "expected hello as the first frame"));
        Receive<SocketFlowCheck>(check => check.Processed.TrySetResult());
        Receive<HelloTimedOut>(_ =>
        {
            _log.Warning("Proxy {0} ({1}) sent no hello within {2}; closing", _proxyId, _name, _settings.HandshakeTimeout);
            CloseAndStop(1008, "no hello within the handshake deadline");
        });
        Receive<ExecuteBleCommand>(cmd => Sender.Tell(new BleCommandFailed(cmd.Command,
            new BleProxyError(BleErrorCodes.ConnectionAborted, $"BLE proxy '{_name}' has not completed its handshake"),
            cmd.Correlation)));
        Receive<SocketClosed>(closed => OnSocketClosed(closed));
    }
}
