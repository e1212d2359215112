using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>Sizes fixed by the PASE messages (spec 4.14.1).</summary>
public static class PaseSizes
{
    public const int Random = 32;
    public const int Point = 65;
    public const int Confirmation = 32;
}

/// <summary>PBKDFParamRequest (opcode 0x20): 1 initiatorRandom, 2 initiatorSessionId, 3 passcodeId, 4 hasPBKDFParameters, 5 session parameters.</summary>
public sealed record PbkdfParamRequest(
    byte[] InitiatorRandom,
    ushort InitiatorSessionId,
    ushort PasscodeId,
    bool HasPbkdfParameters,
    SecureSessionParameters? SessionParameters)
{
    public byte[] Encode()
    {
        var writer = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), InitiatorRandom)
            .WriteUnsigned(TlvTag.Context(2), InitiatorSessionId)
            .WriteUnsigned(TlvTag.Context(3), PasscodeId)
            .WriteBool(TlvTag.Context(4), HasPbkdfParameters);
        SessionParameters?.Write(writer, TlvTag.Context(5));
        return writer.EndContainer().ToArray();
    }

    public static Parsed<PbkdfParamRequest> Decode(ReadOnlyMemory<byte> payload)
    {
        var opened = TlvStructReader.Open(payload, "PBKDFParamRequest");
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var fields = opened.Value!;
        var random = fields.Bytes(1, "initiatorRandom", PaseSizes.Random, PaseSizes.Random);
        var sessionId = (ushort)fields.Unsigned(2, "initiatorSessionId", ushort.MaxValue);
        var passcodeId = (ushort)fields.Unsigned(3, "passcodeId", ushort.MaxValue);
        var hasPbkdf = fields.Bool(4, "hasPBKDFParameters");
        var parameters = PaseCodec.OptionalParameters(fields, 5, "session parameters");
        if (fields.Error is { } error)
        {
            return error;
        }

        if (sessionId == 0)
        {
            return Parsed<PbkdfParamRequest>.Fail(ParseErrorKind.InvalidValue,
                "PBKDFParamRequest: initiatorSessionId 0 is reserved for unsecured messages");
        }

        return Parsed<PbkdfParamRequest>.Ok(new PbkdfParamRequest(random, sessionId, passcodeId, hasPbkdf, parameters));
    }

    public override string ToString() =>
        $"PBKDFParamRequest(session {InitiatorSessionId}, passcode id {PasscodeId}, has parameters {HasPbkdfParameters})";
}

/// <summary>The PBKDF2 parameters a device announces: iterations 1,000..100,000 and a 16..32-byte salt.</summary>
public sealed record PbkdfParameters(uint Iterations, byte[] Salt)
{
    public override string ToString() => $"PbkdfParameters({Iterations} iterations, {Salt.Length}-byte salt)";
}

/// <summary>PBKDFParamResponse (0x21): 1 initiatorRandom, 2 responderRandom, 3 responderSessionId, 4 {1 iterations, 2 salt}, 5 session parameters.</summary>
public sealed record PbkdfParamResponse(
    byte[] InitiatorRandom,
    byte[] ResponderRandom,
    ushort ResponderSessionId,
    PbkdfParameters? Pbkdf,
    SecureSessionParameters? SessionParameters)
{
    public byte[] Encode()
    {
        var writer = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), InitiatorRandom)
            .WriteBytes(TlvTag.Context(2), ResponderRandom)
            .WriteUnsigned(TlvTag.Context(3), ResponderSessionId);
        if (Pbkdf is { } pbkdf)
        {
            writer.StartStructure(TlvTag.Context(4))
                .WriteUnsigned(TlvTag.Context(1), pbkdf.Iterations)
                .WriteBytes(TlvTag.Context(2), pbkdf.Salt)
                .EndContainer();
        }

        SessionParameters?.Write(writer, TlvTag.Context(5));
        return writer.EndContainer().ToArray();
    }

    public static Parsed<PbkdfParamResponse> Decode(ReadOnlyMemory<byte> payload)
    {
        var opened = TlvStructReader.Open(payload, "PBKDFParamResponse");
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var fields = opened.Value!;
        var initiatorRandom = fields.Bytes(1, "initiatorRandom", PaseSizes.Random, PaseSizes.Random);
        var responderRandom = fields.Bytes(2, "responderRandom", PaseSizes.Random, PaseSizes.Random);
        var sessionId = (ushort)fields.Unsigned(3, "responderSessionId", ushort.MaxValue);
        PbkdfParameters? pbkdf = null;
        if (fields.Optional(4) is { } pbkdfElement)
        {
            var nested = TlvStructReader.Nested(pbkdfElement, "PBKDFParamResponse pbkdf_parameters");
            if (!nested.IsOk)
            {
                return nested.Error!;
            }

            var inner = nested.Value!;
            var iterations = inner.Unsigned(1, "iterations", uint.MaxValue);
            var salt = inner.Bytes(2, "salt", Spake2p.PbkdfMinSaltLength, Spake2p.PbkdfMaxSaltLength);
            if (inner.Error is { } innerError)
            {
                return innerError;
            }

            if (iterations is < Spake2p.PbkdfMinIterations or > Spake2p.PbkdfMaxIterations)
            {
                return Parsed<PbkdfParamResponse>.Fail(ParseErrorKind.InvalidValue,
                    $"PBKDFParamResponse: iterations must be {Spake2p.PbkdfMinIterations}..{Spake2p.PbkdfMaxIterations}, got {iterations}");
            }

            pbkdf = new PbkdfParameters((uint)iterations, salt);
        }

        var parameters = PaseCodec.OptionalParameters(fields, 5, "session parameters");
        if (fields.Error is { } error)
        {
            return error;
        }

        if (sessionId == 0)
        {
            return Parsed<PbkdfParamResponse>.Fail(ParseErrorKind.InvalidValue,
                "PBKDFParamResponse: responderSessionId 0 is reserved for unsecured messages");
        }

        return Parsed<PbkdfParamResponse>.Ok(new PbkdfParamResponse(initiatorRandom, responderRandom, sessionId, pbkdf, parameters));
    }

    public override string ToString() => $"PBKDFParamResponse(session {ResponderSessionId}, {Pbkdf?.ToString() ?? "no parameters"})";
}

/// <summary>Pake1 (0x22): 1 pA, the prover's 65-byte share.</summary>
public sealed record Pake1(byte[] PA)
{
    public byte[] Encode() => PaseCodec.EncodeFields((1, PA));

    public static Parsed<Pake1> Decode(ReadOnlyMemory<byte> payload)
    {
        var opened = TlvStructReader.Open(payload, "Pake1");
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var pA = PaseCodec.Point(opened.Value!, 1, "pA");
        return opened.Value!.Error is { } error ? error : Parsed<Pake1>.Ok(new Pake1(pA));
    }
}

/// <summary>Pake2 (0x23): 1 pB, the verifier's share; 2 cB, its key confirmation.</summary>
public sealed record Pake2(byte[] PB, byte[] CB)
{
    public byte[] Encode() => PaseCodec.EncodeFields((1, PB), (2, CB));

    public static Parsed<Pake2> Decode(ReadOnlyMemory<byte> payload)
    {
        var opened = TlvStructReader.Open(payload, "Pake2");
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var fields = opened.Value!;
        var pB = PaseCodec.Point(fields, 1, "pB");
        var cB = fields.Bytes(2, "cB", PaseSizes.Confirmation, PaseSizes.Confirmation);
        return fields.Error is { } error ? error : Parsed<Pake2>.Ok(new Pake2(pB, cB));
    }
}

/// <summary>Pake3 (0x24): 1 cA, the prover's key confirmation.</summary>
public sealed record Pake3(byte[] CA)
{
    public byte[] Encode() => PaseCodec.EncodeFields((1, CA));

    public static Parsed<Pake3> Decode(ReadOnlyMemory<byte> payload)
    {
        var opened = TlvStructReader.Open(payload, "Pake3");
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var cA = opened.Value!.Bytes(1, "cA", PaseSizes.Confirmation, PaseSizes.Confirmation);
        return opened.Value!.Error is { } error ? error : Parsed<Pake3>.Ok(new Pake3(cA));
    }
}

internal static class PaseCodec
{
    public static byte[] EncodeFields(params (byte Tag, byte[] Value)[] fields)
    {
        var writer = new TlvWriter().StartStructure(TlvTag.Anonymous);
        foreach (var (tag, value) in fields)
        {
            writer.WriteBytes(TlvTag.Context(tag), value);
        }

        return writer.EndContainer().ToArray();
    }

    /// <summary>A 65-byte uncompressed point; whether it lies on the curve is checked by SPAKE2+.</summary>
    public static byte[] Point(TlvStructReader fields, byte tag, string name)
    {
        var point = fields.Bytes(tag, name, PaseSizes.Point, PaseSizes.Point);
        return fields.Error is null && point[0] != 0x04
            ? fields.Fail(ParseErrorKind.InvalidValue, $"{name} must be an uncompressed point (first byte 0x04)", point)
            : point;
    }

    public static SecureSessionParameters? OptionalParameters(TlvStructReader fields, byte tag, string what)
    {
        if (fields.Optional(tag) is not { } element)
        {
            return null;
        }

        var parsed = SecureSessionParameters.Read(element, what);
        return parsed.IsOk ? parsed.Value : fields.Fail<SecureSessionParameters?>(parsed.Error!.Kind, parsed.Error.Message, null);
    }
}
