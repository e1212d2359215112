namespace CommissioningActors.Protocol.Matter.Btp;

/// <summary>Joins the segments of one inbound message; at most <c>maxMessageSize</c> bytes are ever held.</summary>
internal sealed class BtpReassembler(int maxMessageSize)
{
    private byte[]? _buffer;
    private int _filled;

    /// <summary>Adds a data packet. Returns the finished message, null while incomplete, or an error.</summary>
    public (byte[]? Message, BtpCloseReason? Reason, string? Error) Add(BtpPacket packet)
    {
        if (packet.IsBegin)
        {
            if (_buffer is not null)
            {
                return Error(BtpCloseReason.Reassembly, "a beginning segment arrived before the previous message ended");
            }

            var length = packet.MessageLength!.Value;
            if (length > maxMessageSize)
            {
                return Error(BtpCloseReason.MessageTooLarge, $"the peer announced a {length}-byte message; the limit is {maxMessageSize}");
            }

            _buffer = new byte[length];
            _filled = 0;
        }
        else if (_buffer is null)
        {
            return Error(BtpCloseReason.Reassembly, "a continuing or ending segment arrived without a beginning segment");
        }

        var payload = packet.Payload.Span;
        if (_filled + payload.Length > _buffer.Length)
        {
            return Error(BtpCloseReason.Reassembly,
                $"segments carry more than the announced {_buffer.Length} byte(s)");
        }

        payload.CopyTo(_buffer.AsSpan(_filled));
        _filled += payload.Length;
        if (!packet.IsEnd)
        {
            return (null, null, null);
        }

        if (_filled != _buffer.Length)
        {
            return Error(BtpCloseReason.Reassembly, $"message ended after {_filled} of {_buffer.Length} announced byte(s)");
        }

        var message = _buffer;
        _buffer = null;
        return (message, null, null);
    }

    private static (byte[]?, BtpCloseReason?, string?) Error(BtpCloseReason reason, string message) => (null, reason, message);
}
