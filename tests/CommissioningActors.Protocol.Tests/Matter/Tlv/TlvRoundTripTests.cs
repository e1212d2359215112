using System.Text;
using CommissioningActors.Protocol.Matter.Tlv;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Tlv;

public class TlvRoundTripTests
{
    /// <summary>A random valid tree; the seed comes from FsCheck so a failure names a reproducible seed.</summary>
    internal static TlvElement RandomTree(int seed, int maxDepth = 5)
    {
        var random = new Random(seed);
        return Element(random, RandomTag(random), maxDepth);
    }

    private static TlvTag RandomTag(Random random) => random.Next(5) switch
    {
        0 => TlvTag.Anonymous,
        1 => TlvTag.Context((byte)random.Next(256)),
        2 => TlvTag.CommonProfile(RandomTagNumber(random)),
        3 => TlvTag.ImplicitProfile(RandomTagNumber(random)),
        _ => TlvTag.FullyQualified((ushort)random.Next(65536), (ushort)random.Next(65536), RandomTagNumber(random)),
    };

    private static uint RandomTagNumber(Random random) =>
        random.Next(2) == 0 ? (uint)random.Next(65536) : (uint)random.NextInt64(uint.MaxValue + 1L);

    private static TlvElement Element(Random random, TlvTag tag, int depth)
    {
        var pick = random.Next(depth > 0 ? 12 : 9);
        return new TlvElement(tag, pick switch
        {
            0 => new TlvSigned(RandomWidth(random)),
            1 => new TlvUnsigned((ulong)RandomWidth(random)),
            2 => random.Next(2) == 0 ? TlvBool.True : TlvBool.False,
            3 => new TlvFloat((float)(random.NextDouble() * 1e6 - 5e5)),
            4 => new TlvDouble(random.NextDouble() * 1e12 - 5e11),
            5 => new TlvUtf8(RandomString(random)),
            6 => new TlvBytes(RandomBytes(random)),
            7 => TlvNull.Instance,
            8 => new TlvSigned(random.Next(-3, 3)),
            9 => Container(random, TlvContainerKind.Structure, depth),
            10 => Container(random, TlvContainerKind.Array, depth),
            _ => Container(random, TlvContainerKind.List, depth),
        });
    }

    private static TlvContainer Container(Random random, TlvContainerKind kind, int depth)
    {
        var count = random.Next(6);
        var members = new List<TlvElement>();
        var used = new HashSet<TlvTag>();
        for (var i = 0; i < count; i++)
        {
            var tag = kind switch
            {
                TlvContainerKind.Array => TlvTag.Anonymous,
                TlvContainerKind.Structure => RandomNonAnonymousTag(random),
                _ => RandomTag(random),
            };
            if (kind != TlvContainerKind.Structure || used.Add(tag))
            {
                members.Add(Element(random, tag, depth - 1));
            }
        }

        return new TlvContainer(kind, members);
    }

    private static TlvTag RandomNonAnonymousTag(Random random)
    {
        var tag = RandomTag(random);
        return tag.IsAnonymous ? TlvTag.Context((byte)random.Next(256)) : tag;
    }

    private static long RandomWidth(Random random) => random.Next(4) switch
    {
        0 => (sbyte)random.Next(256),
        1 => (short)random.Next(65536),
        2 => (int)random.NextInt64(),
        _ => random.NextInt64(long.MinValue, long.MaxValue),
    };

    private static string RandomString(Random random)
    {
        var builder = new StringBuilder();
        var length = random.Next(300);
        for (var i = 0; i < length; i++)
        {
            // Any scalar value: ASCII, two/three-byte, and astral (surrogate pair) code points.
            var codePoint = random.Next(4) switch
            {
                0 => random.Next(0x20, 0x7F),
                1 => random.Next(0x80, 0x800),
                2 => random.Next(0xE000, 0x10000),
                _ => random.Next(0x10000, 0x110000),
            };
            builder.Append(char.ConvertFromUtf32(codePoint));
        }

        return builder.ToString();
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(3) == 0 ? random.Next(256, 70_000) : random.Next(40)];
        random.NextBytes(bytes);
        return bytes;
    }

    [Property(MaxTest = 300)]
    public bool Any_tree_round_trips(int seed)
    {
        var tree = RandomTree(seed);
        var bytes = TlvWriter.Encode(tree);
        var parsed = TlvDecoder.Decode(bytes);
        return parsed.IsOk && parsed.Value!.Equals(tree) && TlvWriter.Encode(parsed.Value).AsSpan().SequenceEqual(bytes);
    }

    [Property]
    public bool Decoding_arbitrary_bytes_never_throws_and_reencodes_what_it_accepts(byte[] bytes)
    {
        var parsed = TlvDecoder.Decode(bytes);
        if (!parsed.IsOk)
        {
            return parsed.Error is not null;
        }

        // Accepted input may be non-minimal; its canonical re-encoding must decode to the same tree.
        var again = TlvDecoder.Decode(TlvWriter.Encode(parsed.Value!));
        return again.IsOk && again.Value!.Equals(parsed.Value);
    }

    [Property(MaxTest = 300)]
    public bool Every_truncation_of_a_valid_tree_is_rejected(int seed, int cut)
    {
        var bytes = TlvWriter.Encode(RandomTree(seed, maxDepth: 3));
        var length = (int)((uint)cut % (uint)bytes.Length);
        var parsed = TlvDecoder.Decode(bytes.AsSpan(0, length));
        return !parsed.IsOk && parsed.Error!.Kind == ParseErrorKind.FrameTooShort;
    }

    [Property]
    public Property Signed_and_unsigned_integers_round_trip(long signed, ulong unsigned)
    {
        var s = TlvDecoder.Decode(new TlvWriter().WriteSigned(TlvTag.Context(1), signed).ToArray());
        var u = TlvDecoder.Decode(new TlvWriter().WriteUnsigned(TlvTag.Context(2), unsigned).ToArray());
        return (s.Value!.AsSigned() == signed && u.Value!.AsUnsigned() == unsigned).ToProperty();
    }

    [Fact]
    public void Writer_refuses_misuse()
    {
        Assert.Throws<InvalidOperationException>(() => new TlvWriter().EndContainer());
        Assert.Throws<InvalidOperationException>(() => new TlvWriter().StartStructure(TlvTag.Anonymous).ToArray());
        Assert.Throws<ArgumentException>(() => new TlvWriter().StartArray(TlvTag.Anonymous).WriteNull(TlvTag.Context(1)));
        Assert.Throws<ArgumentException>(() => new TlvWriter().StartStructure(TlvTag.Anonymous).WriteNull(TlvTag.Anonymous));
    }

    [Fact]
    public void Structure_members_are_found_by_context_tag()
    {
        var bytes = new TlvWriter()
            .StartStructure(TlvTag.Anonymous)
            .WriteUnsigned(TlvTag.Context(1), 7)
            .WriteUtf8(TlvTag.Context(2), "x")
            .EndContainer()
            .ToArray();
        var tree = TlvDecoder.Decode(bytes).Value!;
        Assert.Equal(7UL, tree[1]!.AsUnsigned());
        Assert.Equal("x", tree[2]!.AsString());
        Assert.Null(tree[3]);
    }
}
