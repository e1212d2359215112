namespace CommissioningActors.Core.Sockets;

/// <summary>
/// The one writer of a WebSocket: sends are serialized, so every stream into the socket is backpressured
/// by the real send. Implemented by the host over a WebSocket; tests use fakes.
/// </summary>
public interface ISocketWriter
{
    Task SendTextAsync(string text);

    /// <summary>
    /// Sends a last frame, then closes the socket. If the socket cannot take the frame within the grace
    /// period (a stalled peer), it is aborted: the close never waits on a client that does not read.
    /// </summary>
    Task SendThenCloseAsync(string lastFrame, int status, string reason);
}
