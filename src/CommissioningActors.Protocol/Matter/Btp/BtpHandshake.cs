using System.Buffers.Binary;

namespace CommissioningActors.Protocol.Matter.Btp;

/// <summary>Constants and negotiation of the BTP (Bluetooth Transport Protocol) handshake.</summary>
public static class BtpHandshake
{
    /// <summary>Handshake | Management | Ending segment | Beginning segment.</summary>
    public const byte HandshakeFlags = 0x65;
    public const byte ManagementOpcode = 0x6C;

    /// <summary>The only BTP version Matter 1.x defines.</summary>
    public const byte SupportedVersion = 4;

    /// <summary>Version a device answers when it shares no version with the client; the client must then disconnect.</summary>
    public const byte NoCommonVersion = 0;

    public const int MaxVersions = 8;

    /// <summary>BLE's minimum ATT MTU; 0 in a request means the client does not know its MTU.</summary>
    public const ushort MinimumAttMtu = 23;

    /// <summary>The ATT write/indication header eats 3 bytes of every MTU.</summary>
    public const int AttHeaderSize = 3;

    /// <summary>The largest segment BTP allows: a 247-byte ATT MTU minus the ATT header.</summary>
    public const ushort MaxSegmentSize = 244;

    /// <summary>The segment size on a minimum (23-byte) ATT MTU.</summary>
    public const ushort MinSegmentSize = MinimumAttMtu - AttHeaderSize;

    /// <summary>
    /// What a device answers to a handshake request. The segment size comes from the smaller of the ATT MTU the
    /// client saw and the one the device sees on its link (either may be 0 = unknown); with neither known it is
    /// the 20-byte minimum. The window is the smaller of the two.
    /// </summary>
    public static BtpHandshakeResponse Negotiate(BtpHandshakeRequest request, ushort linkAttMtu = 0, byte maxWindow = 6)
    {
        var version = request.SupportedVersions.Contains(SupportedVersion) ? SupportedVersion : NoCommonVersion;

        int attMtu = (request.AttMtu, linkAttMtu) switch
        {
            (0, var link) => link,
            (var client, 0) => client,
            var (client, link) => Math.Min(client, link),
        };
        var segment = attMtu < MinimumAttMtu ? MinSegmentSize : (ushort)Math.Min(attMtu - AttHeaderSize, MaxSegmentSize);

        return new BtpHandshakeResponse(version, segment, Math.Min(request.WindowSize, maxWindow));
    }

    internal static ParseError? CheckHeader(ReadOnlySpan<byte> frame, int length, string what)
    {
        if (frame.Length < length)
        {
            return new ParseError(ParseErrorKind.FrameTooShort, $"BTP {what} needs {length} bytes, got {frame.Length}");
        }

        if (frame.Length > length)
        {
            return new ParseError(ParseErrorKind.FrameTooLarge, $"BTP {what} is {length} bytes, got {frame.Length}");
        }

        if (frame[0] != HandshakeFlags)
        {
            return new ParseError(ParseErrorKind.InvalidValue,
                $"BTP {what} flags must be 0x{HandshakeFlags:X2}, got 0x{frame[0]:X2}");
        }

        if (frame[1] != ManagementOpcode)
        {
            return new ParseError(ParseErrorKind.UnknownOpcode,
                $"BTP {what} management opcode must be 0x{ManagementOpcode:X2}, got 0x{frame[1]:X2}");
        }

        return null;
    }
}

/// <summary>
/// BTP handshake request, written by the client to C1. <see cref="SupportedVersions"/> is in order of
/// preference (highest first), at most 8, each 1..15.
/// </summary>
public sealed record BtpHandshakeRequest(IReadOnlyList<byte> SupportedVersions, ushort AttMtu, byte WindowSize)
{
    public const int Length = 9;

    /// <summary>The request this service sends: BTP v4 only.</summary>
    public static BtpHandshakeRequest Default(ushort attMtu, byte windowSize) =>
        new([BtpHandshake.SupportedVersion], attMtu, windowSize);

    public static Parsed<BtpHandshakeRequest> Parse(ReadOnlySpan<byte> frame)
    {
        if (BtpHandshake.CheckHeader(frame, Length, "handshake request") is { } error)
        {
            return error;
        }

        // Version i lives in byte 2 + i/2, even i in the low nibble; a 0 nibble ends the list.
        var versions = new List<byte>(BtpHandshake.MaxVersions);
        for (var i = 0; i < BtpHandshake.MaxVersions; i++)
        {
            var packed = frame[2 + (i / 2)];
            var version = (byte)(i % 2 == 0 ? packed & 0x0F : packed >> 4);
            if (version == 0)
            {
                break;
            }

            versions.Add(version);
        }

        if (versions.Count == 0)
        {
            return Parsed<BtpHandshakeRequest>.Fail(ParseErrorKind.InvalidValue,
                "BTP handshake request lists no supported versions");
        }

        return Parsed<BtpHandshakeRequest>.Ok(new BtpHandshakeRequest(
            versions,
            BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]),
            frame[8]));
    }

    public byte[] Encode()
    {
        if (SupportedVersions.Count is 0 or > BtpHandshake.MaxVersions)
        {
            throw new ArgumentException(
                $"BTP handshake request needs 1..{BtpHandshake.MaxVersions} versions, got {SupportedVersions.Count}",
                nameof(SupportedVersions));
        }

        var bytes = new byte[Length];
        bytes[0] = BtpHandshake.HandshakeFlags;
        bytes[1] = BtpHandshake.ManagementOpcode;
        for (var i = 0; i < SupportedVersions.Count; i++)
        {
            var version = SupportedVersions[i];
            if (version is 0 or > 0x0F)
            {
                throw new ArgumentException($"BTP version must be 1..15, got {version}", nameof(SupportedVersions));
            }

            bytes[2 + (i / 2)] |= (byte)(i % 2 == 0 ? version : version << 4);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), AttMtu);
        bytes[8] = WindowSize;
        return bytes;
    }

    // Value equality over the version list, so parsed and constructed requests compare equal.
    public bool Equals(BtpHandshakeRequest? other) =>
        other is not null
        && AttMtu == other.AttMtu
        && WindowSize == other.WindowSize
        && SupportedVersions.SequenceEqual(other.SupportedVersions);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(AttMtu);
        hash.Add(WindowSize);
        foreach (var version in SupportedVersions)
        {
            hash.Add(version);
        }

        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"BtpHandshakeRequest {{ SupportedVersions = [{string.Join(", ", SupportedVersions)}], AttMtu = {AttMtu}, WindowSize = {WindowSize} }}";
}

/// <summary>BTP handshake response, indicated by the device on C2.</summary>
public sealed record BtpHandshakeResponse(byte Version, ushort SegmentSize, byte WindowSize)
{
    public const int Length = 6;

    public static Parsed<BtpHandshakeResponse> Parse(ReadOnlySpan<byte> frame)
    {
        if (BtpHandshake.CheckHeader(frame, Length, "handshake response") is { } error)
        {
            return error;
        }

        // The high nibble of byte 2 is reserved.
        return Parsed<BtpHandshakeResponse>.Ok(new BtpHandshakeResponse(
            (byte)(frame[2] & 0x0F),
            BinaryPrimitives.ReadUInt16LittleEndian(frame[3..]),
            frame[5]));
    }

    public byte[] Encode()
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Version, (byte)0x0F, nameof(Version));

        var bytes = new byte[Length];
        bytes[0] = BtpHandshake.HandshakeFlags;
        bytes[1] = BtpHandshake.ManagementOpcode;
        bytes[2] = Version;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(3), SegmentSize);
        bytes[5] = WindowSize;
        return bytes;
    }
}
