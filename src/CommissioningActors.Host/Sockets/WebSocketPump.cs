using System.Buffers;
using System.Net.WebSockets;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using CommissioningActors.Core.Sockets;

namespace CommissioningActors.Host.Sockets;

/// <summary>
/// Bridges one WebSocket to the actor that owns it: inbound frames become SocketTextReceived /
/// SocketBinaryReceived, outbound SocketOutbound messages go through a bounded Akka.Streams source
/// (one send at a time, as WebSocket requires). Oversized messages close the socket with 1009.
/// </summary>
public sealed class WebSocketPump(WebSocket socket, IMaterializer materializer, int maxMessageBytes, int outboundBuffer, ILogger log)
{
    private const int FlowWindow = 64;
    private static readonly TimeSpan CloseHandshakeGrace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FlowCheckTimeout = TimeSpan.FromSeconds(30);
    private readonly WebSocketWriter _writer = new(socket, CloseHandshakeGrace);

    /// <summary>Runs until the socket is closed. attach receives the outbound ref and the writer, and returns the owning actor.</summary>
    public async Task RunAsync(Func<IActorRef, ISocketWriter, Task<IActorRef>> attach, CancellationToken ct)
    {
        var (outbound, sendDone) = Source.ActorRef<SocketOutbound>(outboundBuffer, OverflowStrategy.Fail)
            .SelectAsync(1, SendAsync)
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .Run(materializer);

        // A failed outbound stream (e.g. buffer overflow) leaves the socket unusable: drop it.
        _ = sendDone.ContinueWith(t =>
        {
            if (t.IsFaulted)
            {
                // Abrupt termination is the actor system shutting down, not a misbehaving peer.
                var error = t.Exception?.GetBaseException();
                log.Log(error is AbruptTerminationException ? LogLevel.Debug : LogLevel.Warning,
                    "Outbound stream failed ({Error}); aborting the socket", error?.Message);
                socket.Abort();
            }
        }, TaskScheduler.Default);

        IActorRef owner;
        try
        {
            owner = await attach(outbound, _writer);
        }
        catch (Exception e)
        {
            log.LogError(e, "Could not attach the socket to an actor");
            outbound.Tell(PoisonPill.Instance);
            socket.Abort();
            return;
        }

        var reason = await ReceiveLoopAsync(owner, outbound, ct);
        owner.Tell(new SocketClosed(reason));
        outbound.Tell(new Status.Success(NotUsed.Instance));
        await Task.WhenAny(sendDone, Task.Delay(CloseHandshakeGrace, CancellationToken.None));
        if (socket.State is not WebSocketState.Closed and not WebSocketState.Aborted)
        {
            socket.Abort();
        }
    }

    private async Task<string> ReceiveLoopAsync(IActorRef owner, IActorRef outbound, CancellationToken ct)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(8 * 1024);
        var message = new ArrayBufferWriter<byte>(8 * 1024);
        var tooBig = false;
        var sinceCheck = 0;
        TaskCompletionSource? lastCheck = null;
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result;
                try
                {
                    result = await socket.ReceiveAsync(chunk.AsMemory(), ct);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    return tooBig ? "message too big" : $"connection lost ({e.GetType().Name})";
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    outbound.Tell(new CloseSocket(1000, "closing"));
                    return tooBig ? "message too big" : $"closed by peer ({socket.CloseStatus?.ToString() ?? "no status"})";
                }

                if (tooBig)
                {
                    // Drain until the peer answers our close (or the grace abort fires); aborting with
                    // unread data would reset the connection and lose the 1009 frame.
                    continue;
                }

                if (message.WrittenCount + result.Count > maxMessageBytes)
                {
                    log.LogWarning("Peer sent a message over {Limit} bytes; closing with 1009", maxMessageBytes);
                    outbound.Tell(new CloseSocket((int)WebSocketCloseStatus.MessageTooBig, $"message exceeds {maxMessageBytes} bytes"));
                    tooBig = true;
                    continue;
                }

                message.Write(chunk.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var bytes = message.WrittenSpan.ToArray();
                message.ResetWrittenCount();
                owner.Tell(result.MessageType == WebSocketMessageType.Text
                    ? new SocketTextReceived(bytes)
                    : new SocketBinaryReceived(bytes));

                // Read on only while the owner keeps up: at most two windows of frames wait in its mailbox.
                if (++sinceCheck == FlowWindow)
                {
                    sinceCheck = 0;
                    if (!await WaitForOwnerAsync(lastCheck))
                    {
                        log.LogWarning("Peer's frames are not being processed in time; closing");
                        outbound.Tell(new CloseSocket((int)WebSocketCloseStatus.PolicyViolation, "too many frames"));
                        return "owner not keeping up";
                    }

                    lastCheck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    owner.Tell(new SocketFlowCheck(lastCheck));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static async Task<bool> WaitForOwnerAsync(TaskCompletionSource? check)
    {
        if (check is null)
        {
            return true;
        }

        return await Task.WhenAny(check.Task, Task.Delay(FlowCheckTimeout)) == check.Task;
    }

    private async Task<NotUsed> SendAsync(SocketOutbound message)
    {
        try
        {
            switch (message)
            {
                case SendText text:
                    await _writer.SendTextAsync(text.Text);
                    break;
                case SendBinary binary:
                    await _writer.SendBinaryAsync(binary.Data);
                    break;
                case CloseSocket close:
                    await _writer.CloseAsync(close.Status, close.Reason);
                    break;
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone; the receive loop reports it.
        }

        return NotUsed.Instance;
    }
}
