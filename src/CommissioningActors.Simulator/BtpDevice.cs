using System.Buffers.Binary;

namespace CommissioningActors.Simulator;

/// <summary>
/// The device half of BTP (Matter's BLE transport) as far as a simulated peripheral needs it:
/// the capabilities handshake and acknowledging data packets.
/// </summary>
internal static class BtpDevice
{
    // BTP header flag bits.
    public const byte FlagBeginning = 0x01;
    public const byte FlagContinuing = 0x02;
    public const byte FlagEnding = 0x04;
    public const byte FlagAck = 0x08;
    public const byte FlagManagement = 0x20;
    public const byte FlagHandshake = 0x40;

    public const byte HandshakeFlags = FlagHandshake | FlagManagement | FlagEnding | FlagBeginning; // 0x65
    public const byte HandshakeOpcode = 0x6C;

    public const byte SupportedVersion = 4;
    public const byte MaxWindowSize = 6;

    public sealed record HandshakeRequest(IReadOnlyList<byte> Versions, ushort Mtu, byte WindowSize);

    /// <summary>Request: flags 0x65, opcode 0x6C, 4 bytes of version nibbles, MTU u16 LE, window u8.</summary>
    public static HandshakeRequest? TryParseHandshakeRequest(ReadOnlySpan<byte> data)
    {
        if (data.Length < 9 || data[0] != HandshakeFlags || data[1] != HandshakeOpcode)
        {
            return null;
        }

        var versions = new List<byte>(8);
        foreach (var b in data.Slice(2, 4))
        {
            if ((b & 0x0F) != 0)
            {
                versions.Add((byte)(b & 0x0F));
            }

            if ((b >> 4) != 0)
            {
                versions.Add((byte)(b >> 4));
            }
        }

        return new HandshakeRequest(versions, BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(6, 2)), data[8]);
    }

    /// <summary>Response: flags 0x65, opcode 0x6C, selected version, segment size u16 LE, window u8.</summary>
    public static byte[] EncodeHandshakeResponse(HandshakeRequest request, int attMtu)
    {
        // Notifications carry ATT MTU - 3 bytes; a request MTU of 0 means "unknown, use the link's".
        var linkSegment = Math.Max(20, attMtu - 3);
        var segment = request.Mtu == 0 ? linkSegment : Math.Min(request.Mtu, linkSegment);
        var window = Math.Min(request.WindowSize == 0 ? MaxWindowSize : request.WindowSize, MaxWindowSize);
        var version = request.Versions.Contains(SupportedVersion) ? SupportedVersion : (byte)0;

        var bytes = new byte[6];
        bytes[0] = HandshakeFlags;
        bytes[1] = HandshakeOpcode;
        bytes[2] = version;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(3), (ushort)segment);
        bytes[5] = (byte)window;
        return bytes;
    }

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
