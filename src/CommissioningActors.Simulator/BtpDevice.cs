namespace CommissioningActors.Simulator;

/// <summary>
/// BTP data packets from the device's side, as far as a simulated peripheral needs them: reading the
/// sender's sequence number and acknowledging it. The handshake itself uses Protocol's BtpHandshake.
/// </summary>
internal static class BtpDevice
{
    // BTP header flag bits.
    public const byte FlagAck = 0x08;
    public const byte FlagManagement = 0x20;
    public const byte FlagHandshake = 0x40;

    public const byte MaxWindowSize = 6;

    /// <summary>Sequence number of a BTP data packet (flags [opcode] [ack] seq ...), or null when malformed.</summary>
    public static byte? TryReadSequence(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty || (packet[0] & FlagHandshake) != 0)
        {
            return null;
        }

        var offset = 1;
        if ((packet[0] & FlagManagement) != 0)
        {
            offset++;
        }

        if ((packet[0] & FlagAck) != 0)
        {
            offset++;
        }

        return packet.Length > offset ? packet[offset] : null;
    }

    /// <summary>A standalone ack: flags A, ack number, own sequence number.</summary>
    public static byte[] EncodeStandaloneAck(byte ackedSequence, byte ownSequence) =>
        [FlagAck, ackedSequence, ownSequence];
}
