namespace CommissioningActors.Core.Sockets;

/// <summary>
/// The one writer of a WebSocket: sends are serialized, so every stream into the socket is backpressured
/// by the real send. Implemented by the host over a WebSocket; tests use fakes.
/// </summary>
public interface ISocketWriter
{
    Task SendTextAsync(string text);

    /// <summary>Several frames in order; a writer may send them under one turn of its lock.</summary>
    async Task SendTextsAsync(IReadOnlyList<string> texts)
    {
        foreach (var text in texts)
        {
            await SendTextAsync(text);
        }
    }

    /// <summary>
    /// Sends a last frame, then closes the socket. If the socket cannot take the frame within the grace
    /// period (a stalled peer), it is aborted: the close never waits on a client that does not read.
    /// </summary>
    Task SendThenCloseAsync(string lastFrame, int status, string reason);
}
