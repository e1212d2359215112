using System.Reflection;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Core.Controller;

/// <summary>
/// One per /ws client. Sends server_info on connect and answers commands; bad input gets a structured
/// error on its message_id and the connection stays up.
/// </summary>
public sealed class ControllerSessionActor : ReceiveActor
{
    private static readonly string ServerVersion =
        typeof(ControllerSessionActor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";

    private readonly IActorRef _outbound;
    private readonly IActorRef _proxies;
    private readonly int _maxFrameBytes;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // server_info requests waiting for the proxy list; null = the unsolicited one sent on connect.
    private readonly Queue<string?> _serverInfoWaiters = new();

    public ControllerSessionActor(IActorRef outbound, IActorRef proxies, int maxFrameBytes)
    {
        _outbound = outbound;
        _proxies = proxies;
        _maxFrameBytes = maxFrameBytes;

        Receive<SocketTextReceived>(frame => OnCommand(frame.Utf8));
        Receive<SocketBinaryReceived>(_ =>
            Send(ControllerCodec.Error(null, ControllerErrorCodes.InvalidCommand, "binary frames are not part of the controller API")));
        Receive<ProxyList>(OnProxyList);
        Receive<SocketClosed>(_ => Context.Stop(Self));
    }

    public static Props Props(IActorRef outbound, IActorRef proxies, int maxFrameBytes) =>
        Akka.Actor.Props.Create(() => new ControllerSessionActor(outbound, proxies, maxFrameBytes));

    protected override void PreStart() => RequestServerInfo(null);

    private void OnCommand(byte[] utf8)
    {
        var (command, error) = ControllerCodec.ParseCommand(utf8, _maxFrameBytes);
        if (error is not null)
        {
            Send(ControllerCodec.Error(error.MessageId, error.ErrorCode, error.Details));
            return;
        }

        switch (command!.Command)
        {
            case "server_info":
                RequestServerInfo(command.MessageId);
                break;
            default:
                Send(ControllerCodec.Error(command.MessageId, ControllerErrorCodes.InvalidCommand,
                    $"unknown command '{Truncate(command.Command)}'"));
                break;
        }
    }

    private void RequestServerInfo(string? messageId)
    {
        _serverInfoWaiters.Enqueue(messageId);
        _proxies.Tell(GetProxies.Instance);
    }

    private void OnProxyList(ProxyList list)
    {
        if (!_serverInfoWaiters.TryDequeue(out var messageId))
        {
            return;
        }

        var info = new JsonObject
        {
            ["version"] = ServerVersion,
            ["protocol_versions"] = new JsonObject
            {
                ["controller"] = ControllerCodec.ApiVersion,
                ["ble_proxy"] = BleProxyCodec.ProtocolVersion,
            },
            ["proxies"] = new JsonArray(list.Proxies.Select(p => (JsonNode)new JsonObject
            {
                ["id"] = p.Id,
                ["name"] = p.Name,
                ["ready"] = p.Ready,
            }).ToArray()),
        };
        Send(messageId is null ? ControllerCodec.Event("server_info", info) : ControllerCodec.Result(messageId, info));
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "...";

    private void Send(string text) => _outbound.Tell(new SendText(text));

    protected override void PostStop() => _outbound.Tell(new CloseSocket(1000, "session ended"));
}
