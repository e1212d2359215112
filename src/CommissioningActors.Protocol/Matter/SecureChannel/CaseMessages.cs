using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>Sizes bounded by the CASE messages (spec 4.14.2).</summary>
public static class CaseSizes
{
    public const int Random = 32;
    public const int DestinationId = 32;
    public const int PublicKey = 65;
    public const int Signature = 64;
    public const int ResumptionId = 16;
    public const int Mic = 16;

    /// <summary>A Matter TLV certificate is at most 400 bytes.</summary>
    public const int MaxCertificate = 400;

    /// <summary>Encrypted TBE data: NOC + ICAC + signature + resumption id + TLV overhead + MIC, with room to spare.</summary>
    public const int MaxEncrypted = 1024;
}

/// <summary>Sigma1 (0x30): 1 initiatorRandom, 2 initiatorSessionId, 3 destinationId, 4 initiatorEphPubKey, 5 session parameters, 6 resumptionId, 7 initiatorResumeMIC.</summary>
public sealed record Sigma1(
    byte[] InitiatorRandom,
    ushort InitiatorSessionId,
    byte[] DestinationId,
    byte[] InitiatorEphPubKey,
    SecureSessionParameters? SessionParameters,
    byte[]? ResumptionId = null,
    byte[]? InitiatorResumeMic = null)
{
    public byte[] Encode()
    {
        var writer = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), InitiatorRandom)
            .WriteUnsigned(TlvTag.Context(2), InitiatorSessionId)
            .WriteBytes(TlvTag.Context(3), DestinationId)
            .WriteBytes(TlvTag.Context(4), InitiatorEphPubKey);
        SessionParameters?.Write(writer, TlvTag.Context(5));
        CaseCodec.WriteOptional(writer, 6, ResumptionId);
        CaseCodec.WriteOptional(writer, 7, InitiatorResumeMic);
        return writer.EndContainer().ToArray();
    }

    public static Parsed<Sigma1> Decode(ReadOnlyMemory<byte> payload)
    {
        var opened = TlvStructReader.Open(payload, "Sigma1");
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var f = opened.Value!;
        var random = f.Bytes(1, "initiatorRandom", CaseSizes.Random, CaseSizes.Random);
        var sessionId = (ushort)f.Unsigned(2, "initiatorSessionId", ushort.MaxValue);
        var destination = f.Bytes(3, "destinationId", CaseSizes.DestinationId, CaseSizes.DestinationId);
        var key = PaseCodec.Point(f, 4, "initiatorEphPubKey");
        var parameters = PaseCodec.OptionalParameters(f, 5, "session parameters");
        var resumptionId = f.OptionalBytes(6, "resumptionId", CaseSizes.ResumptionId, CaseSizes.ResumptionId);
        var mic = f.OptionalBytes(7, "initiatorResumeMIC", CaseSizes.Mic, CaseSizes.Mic);
        if (f.Error is { } error)
        {
            return error;
        }

        if ((resumptionId is null) != (mic is null))
        {
            return Parsed<Sigma1>.Fail(ParseErrorKind.InvalidValue, "Sigma1: resumptionId and initiatorResumeMIC come together");
        }

        return sessionId == 0
            ? Parsed<Sigma1>.Fail(ParseErrorKind.InvalidValue, "Sigma1: initiatorSessionId 0 is reserved for unsecured messages")
            : Parsed<Sigma1>.Ok(new Sigma1(random, sessionId, destination, key, parameters, resumptionId, mic));
    }
}

/// <summary>Sigma2 (0x31): 1 responderRandom, 2 responderSessionId, 3 responderEphPubKey, 4 encrypted2, 5 session parameters.</summary>
public sealed record Sigma2(
    byte[] ResponderRandom,
    ushort ResponderSessionId,
    byte[] ResponderEphPubKey,
    byte[] Encrypted2,
    SecureSessionParameters? SessionParameters)
{
    public byte[] Encode()
    {
        var writer = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), ResponderRandom)
            .WriteUnsigned(TlvTag.Context(2), ResponderSessionId)
            .WriteBytes(TlvTag.Context(3), ResponderEphPubKey)
            .WriteBytes(TlvTag.Context(4), Encrypted2);
        SessionParameters?.Write(writer, TlvTag.Context(5));
        return writer.EndContainer().ToArray();
    }

    public static Parsed<Sigma2> Decode(ReadOnlyMemory<byte> payload)
    {
        var opened = TlvStructReader.Open(payload, "Sigma2");
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var f = opened.Value!;
        var random = f.Bytes(1, "responderRandom", CaseSizes.Random, CaseSizes.Random);
        var sessionId = (ushort)f.Unsigned(2, "responderSessionId", ushort.MaxValue);
        var key = PaseCodec.Point(f, 3, "responderEphPubKey");
        var encrypted = f.Bytes(4, "encrypted2", CaseSizes.Mic + 1, CaseSizes.MaxEncrypted);
        var parameters = PaseCodec.OptionalParameters(f, 5, "session parameters");
        if (f.Error is { } error)
        {
            return error;
        }

        return sessionId == 0
            ? Parsed<Sigma2>.Fail(ParseErrorKind.InvalidValue, "Sigma2: responderSessionId 0 is reserved for unsecured messages")
            : Parsed<Sigma2>.Ok(new Sigma2(random, sessionId, key, encrypted, parameters));
    }
}

/// <summary>Sigma2Resume (0x33): 1 resumptionId, 2 sigma2ResumeMIC, 3 responderSessionId, 4 session parameters.</summary>
public sealed record Sigma2Resume(byte[] ResumptionId, byte[] ResumeMic, ushort ResponderSessionId, SecureSessionParameters? SessionParameters)
{
    public byte[] Encode()
    {
        var writer = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), ResumptionId)
            .WriteBytes(TlvTag.Context(2), ResumeMic)
            .WriteUnsigned(TlvTag.Context(3), ResponderSessionId);
        SessionParameters?.Write(writer, TlvTag.Context(4));
        return writer.EndContainer().ToArray();
    }

    public static Parsed<Sigma2Resume> Decode(ReadOnlyMemory<byte> payload)
    {
        var opened = TlvStructReader.Open(payload, "Sigma2Resume");
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var f = opened.Value!;
        var resumptionId = f.Bytes(1, "resumptionId", CaseSizes.ResumptionId, CaseSizes.ResumptionId);
        var mic = f.Bytes(2, "sigma2ResumeMIC", CaseSizes.Mic, CaseSizes.Mic);
        var sessionId = (ushort)f.Unsigned(3, "responderSessionId", ushort.MaxValue);
        var parameters = PaseCodec.OptionalParameters(f, 4, "session parameters");
        if (f.Error is { } error)
        {
            return error;
        }

        return sessionId == 0
            ? Parsed<Sigma2Resume>.Fail(ParseErrorKind.InvalidValue, "Sigma2Resume: responderSessionId 0 is reserved for unsecured messages")
            : Parsed<Sigma2Resume>.Ok(new Sigma2Resume(resumptionId, mic, sessionId, parameters));
    }
}

/// <summary>Sigma3 (0x32): 1 encrypted3.</summary>
public sealed record Sigma3(byte[] Encrypted3)
{
    public byte[] Encode() => PaseCodec.EncodeFields((1, Encrypted3));

    public static Parsed<Sigma3> Decode(ReadOnlyMemory<byte> payload)
    {
        var opened = TlvStructReader.Open(payload, "Sigma3");
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var encrypted = opened.Value!.Bytes(1, "encrypted3", CaseSizes.Mic + 1, CaseSizes.MaxEncrypted);
        return opened.Value!.Error is { } error ? error : Parsed<Sigma3>.Ok(new Sigma3(encrypted));
    }
}

/// <summary>
/// The decrypted body of Sigma2 (TBEData2: 1 NOC, 2 ICAC, 3 signature, 4 resumptionId) or Sigma3 (TBEData3: the
/// same without a resumption id). Certificates stay opaque Matter TLV here; the validator reads them.
/// </summary>
public sealed record CaseTbeData(byte[] Noc, byte[]? Icac, byte[] Signature, byte[]? ResumptionId)
{
    public byte[] Encode()
    {
        var writer = new TlvWriter().StartStructure(TlvTag.Anonymous).WriteBytes(TlvTag.Context(1), Noc);
        CaseCodec.WriteOptional(writer, 2, Icac);
        writer.WriteBytes(TlvTag.Context(3), Signature);
        CaseCodec.WriteOptional(writer, 4, ResumptionId);
        return writer.EndContainer().ToArray();
    }

    public static Parsed<CaseTbeData> Decode(ReadOnlyMemory<byte> payload, bool sigma2)
    {
        var what = sigma2 ? "Sigma2 TBEData2" : "Sigma3 TBEData3";
        var opened = TlvStructReader.Open(payload, what);
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var f = opened.Value!;
        var noc = f.Bytes(1, "NOC", 1, CaseSizes.MaxCertificate);
        var icac = f.OptionalBytes(2, "ICAC", 1, CaseSizes.MaxCertificate);
        var signature = f.Bytes(3, "signature", CaseSizes.Signature, CaseSizes.Signature);
        var resumptionId = sigma2 ? f.Bytes(4, "resumptionId", CaseSizes.ResumptionId, CaseSizes.ResumptionId) : null;
        return f.Error is { } error ? error : Parsed<CaseTbeData>.Ok(new CaseTbeData(noc, icac, signature, resumptionId));
    }

    /// <summary>TBSData2/3: what the sender signs: 1 its NOC, 2 its ICAC, 3 its ephemeral key, 4 the receiver's.</summary>
    public static byte[] SignedData(byte[] noc, byte[]? icac, byte[] senderEphPubKey, byte[] receiverEphPubKey)
    {
        var writer = new TlvWriter().StartStructure(TlvTag.Anonymous).WriteBytes(TlvTag.Context(1), noc);
        CaseCodec.WriteOptional(writer, 2, icac);
        return writer.WriteBytes(TlvTag.Context(3), senderEphPubKey)
            .WriteBytes(TlvTag.Context(4), receiverEphPubKey)
            .EndContainer()
            .ToArray();
    }

    public override string ToString() => $"CaseTbeData(NOC {Noc.Length} B, ICAC {Icac?.Length ?? 0} B)";
}

internal static class CaseCodec
{
    public static void WriteOptional(TlvWriter writer, byte tag, byte[]? value)
    {
        if (value is not null)
        {
            writer.WriteBytes(TlvTag.Context(tag), value);
        }
    }
}
