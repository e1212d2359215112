using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Akka.Actor;
using Akka.Streams;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Host.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommissioningActors.Host.Tests.Sockets;

/// <summary>
/// The pump's inbound flow control, over an in-memory WebSocket pair with a probe as the owner: after every 64
/// frames it sends a SocketFlowCheck, and it reads past the next window only once the owner has handled the
/// previous check.
/// </summary>
public sealed class WebSocketPumpFlowTests : TestKit
{
    private const int Window = 64;

    [Fact]
    public async Task The_pump_reads_at_most_two_windows_ahead_of_the_owner_and_delivers_every_frame_in_order()
    {
        var (server, client) = Pair();
        var owner = CreateTestProbe();
        var pump = new WebSocketPump(server, Sys.Materializer(), 64 * 1024, 100, NullLogger.Instance);
        var run = pump.RunAsync((_, _) => Task.FromResult(owner.Ref), CancellationToken.None);

        const int Frames = 3 * Window + 8;
        for (var i = 0; i < Frames; i++)
        {
            await client.SendAsync(Encoding.UTF8.GetBytes($"frame {i}"), WebSocketMessageType.Text, true, CancellationToken.None);
        }

        var next = 0;
        void ExpectFrames(int count)
        {
            for (var i = 0; i < count; i++, next++)
            {
                Assert.Equal($"frame {next}", Encoding.UTF8.GetString(owner.ExpectMsg<SocketTextReceived>().Utf8));
            }
        }

        // The first check does not hold the pump up; the second window ends waiting for it.
        ExpectFrames(Window);
        var first = owner.ExpectMsg<SocketFlowCheck>();
        ExpectFrames(Window);

        // Frame 128 has been read but not 129: until the first check is handled, the next thing is that check's successor.
        Assert.False(first.Processed.Task.IsCompleted);
        first.Processed.SetResult();
        var second = owner.ExpectMsg<SocketFlowCheck>();
        ExpectFrames(Window);
        second.Processed.SetResult();
        var third = owner.ExpectMsg<SocketFlowCheck>();
        ExpectFrames(8);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        owner.ExpectMsg<SocketClosed>();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(third.Processed.Task.IsCompleted);
    }

    private static (WebSocket Server, WebSocket Client) Pair()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var server = WebSocket.CreateFromStream(new DuplexStream(toServer.Reader, toClient.Writer),
            new WebSocketCreationOptions { IsServer = true });
        var client = WebSocket.CreateFromStream(new DuplexStream(toClient.Reader, toServer.Writer),
            new WebSocketCreationOptions { IsServer = false });
        return (server, client);
    }

    /// <summary>One end of an in-memory connection: reads what the other end writes.</summary>
    private sealed class DuplexStream(PipeReader reader, PipeWriter writer) : Stream
    {
        private readonly Stream _in = reader.AsStream();
        private readonly Stream _out = writer.AsStream();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _in.ReadAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => _out.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            _out.WriteAsync(buffer, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => _out.FlushAsync(cancellationToken);

        public override void Flush() => _out.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _in.Dispose();
                _out.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
