using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace CommissioningActors.Protocol.Mdns;

/// <summary>
/// Strict, non-throwing reader and small writer for DNS messages as mDNS uses them (RFC 1035 / 6762). The
/// reader is meant for hostile input: the message size, the records kept, name lengths, compression pointers
/// (backwards only, a bounded number of jumps) and TXT strings are all bounded.
/// </summary>
public static class DnsCodec
{
    /// <summary>RFC 6762 §17: an mDNS message is at most 9000 bytes.</summary>
    public const int MaxMessageBytes = 9000;

    public const int DefaultMaxRecords = 128;
    public const int MaxTxtEntries = 32;
    private const int MaxNameBytes = 255;
    private const int MaxPointerJumps = 16;
    private const int HeaderBytes = 12;

    public static Parsed<DnsMessage> Decode(ReadOnlySpan<byte> data, int maxRecords = DefaultMaxRecords)
    {
        if (data.Length > MaxMessageBytes)
        {
            return Parsed<DnsMessage>.Fail(ParseErrorKind.FrameTooLarge, $"{data.Length} bytes, mDNS allows {MaxMessageBytes}");
        }

        if (data.Length < HeaderBytes)
        {
            return Parsed<DnsMessage>.Fail(ParseErrorKind.FrameTooShort, "shorter than a DNS header");
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        var questions = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        var records = BinaryPrimitives.ReadUInt16BigEndian(data[6..]) + BinaryPrimitives.ReadUInt16BigEndian(data[8..])
            + BinaryPrimitives.ReadUInt16BigEndian(data[10..]);
        var pos = HeaderBytes;
        var asked = new List<DnsQuestion>();
        var dropped = 0;
        for (var i = 0; i < questions; i++)
        {
            var question = ReadName(data, ref pos);
            if (question is null || pos + 4 > data.Length)
            {
                return Parsed<DnsMessage>.Fail(ParseErrorKind.InvalidValue, $"question {i} is malformed");
            }

            var questionType = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            pos += 4;
            if (asked.Count < maxRecords)
            {
                asked.Add(new DnsQuestion(question, (DnsRecordType)questionType));
            }
            else
            {
                dropped++;
            }
        }

        var kept = new List<DnsRecord>();
        for (var i = 0; i < records; i++)
        {
            var name = ReadName(data, ref pos);
            if (name is null || pos + 10 > data.Length)
            {
                return Parsed<DnsMessage>.Fail(ParseErrorKind.InvalidValue, $"record {i} is malformed");
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            var ttl = TimeSpan.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 4)..]) & 0x7fffffff);
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 8)..]);
            var start = pos + 10;
            if (start + length > data.Length)
            {
                return Parsed<DnsMessage>.Fail(ParseErrorKind.FrameTooShort, $"record {i} runs past the message");
            }

            pos = start + length;
            if (type is not ((ushort)DnsRecordType.A or (ushort)DnsRecordType.Aaaa or (ushort)DnsRecordType.Ptr
                or (ushort)DnsRecordType.Srv or (ushort)DnsRecordType.Txt))
            {
                continue;
            }

            if (kept.Count >= maxRecords)
            {
                dropped++;
                continue;
            }

            // A record whose data does not fit its type is skipped alone: its length still delimits it.
            if (ReadData(data, start, length, (DnsRecordType)type, name, ttl) is { } record)
            {
                kept.Add(record);
            }
            else
            {
                dropped++;
            }
        }

        return Parsed<DnsMessage>.Ok(new DnsMessage((flags & 0x8000) != 0, kept, dropped) { Questions = asked });
    }

    private static DnsRecord? ReadData(ReadOnlySpan<byte> data, int start, int length, DnsRecordType type, string name, TimeSpan ttl)
    {
        var rdata = data.Slice(start, length);
        switch (type)
        {
            case DnsRecordType.A when length == 4:
            case DnsRecordType.Aaaa when length == 16:
                return new AddressRecord(name, ttl, new IPAddress(rdata));
            case DnsRecordType.Ptr:
                {
                    var pos = start;
                    return ReadName(data, ref pos) is { } target && pos == start + length ? new PtrRecord(name, ttl, target) : null;
                }

            case DnsRecordType.Srv when length >= 7:
                {
                    var pos = start + 6;
                    return ReadName(data, ref pos) is { } target && pos == start + length
                        ? new SrvRecord(name, ttl, BinaryPrimitives.ReadUInt16BigEndian(rdata), BinaryPrimitives.ReadUInt16BigEndian(rdata[2..]),
                            BinaryPrimitives.ReadUInt16BigEndian(rdata[4..]), target)
                        : null;
                }

            case DnsRecordType.Txt:
                {
                    var entries = new List<string>();
                    for (var pos = 0; pos < length;)
                    {
                        var size = rdata[pos];
                        if (pos + 1 + size > length)
                        {
                            return null;
                        }

                        if (size > 0 && entries.Count < MaxTxtEntries)
                        {
                            entries.Add(Encoding.UTF8.GetString(rdata.Slice(pos + 1, size)));
                        }

                        pos += 1 + size;
                    }

                    return new TxtRecord(name, ttl, entries);
                }

            default:
                return null;
        }
    }

    /// <summary>
    /// Reads a possibly compressed name at <paramref name="pos"/> and moves past it; null when malformed. A pointer
    /// must point before itself and before every earlier jump target, so no chain of pointers can loop.
    /// </summary>
    private static string? ReadName(ReadOnlySpan<byte> data, ref int pos)
    {
        var builder = new StringBuilder();
        var bytes = 0;
        var jumps = 0;
        var cursor = pos;
        var end = -1;
        var floor = int.MaxValue;
        while (true)
        {
            if (cursor >= data.Length)
            {
                return null;
            }

            var length = data[cursor];
            if (length == 0)
            {
                cursor++;
                break;
            }

            if ((length & 0xC0) == 0xC0)
            {
                if (cursor + 1 >= data.Length || ++jumps > MaxPointerJumps)
                {
                    return null;
                }

                // Jump targets strictly decrease: a chain of pointers can never come back round.
                var target = ((length & 0x3F) << 8) | data[cursor + 1];
                if (target >= Math.Min(cursor, floor))
                {
                    return null;
                }

                floor = target;
                if (end < 0)
                {
                    end = cursor + 2;
                }

                cursor = target;
                continue;
            }

            if ((length & 0xC0) != 0 || cursor + 1 + length > data.Length)
            {
                return null;
            }

            bytes += length + 1;
            if (bytes > MaxNameBytes)
            {
                return null;
            }

            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            builder.Append(Encoding.UTF8.GetString(data.Slice(cursor + 1, length)));
            cursor += 1 + length;
        }

        pos = end >= 0 ? end : cursor;
        return builder.ToString();
    }

    /// <summary>A multicast (QM) query with these questions, id 0 (RFC 6762 §18.1).</summary>
    public static byte[] EncodeQuery(IEnumerable<(string Name, DnsRecordType Type)> questions)
    {
        var list = questions.ToList();
        var writer = new Writer();
        writer.Header(flags: 0, questions: list.Count, answers: 0);
        foreach (var (name, type) in list)
        {
            writer.Name(name);
            writer.U16((ushort)type);
            writer.U16(1);
        }

        return writer.ToArray();
    }

    /// <summary>An authoritative response carrying <paramref name="answers"/> (used by tests and responders).</summary>
    public static byte[] EncodeResponse(IEnumerable<DnsRecord> answers)
    {
        var list = answers.ToList();
        var writer = new Writer();
        writer.Header(flags: 0x8400, questions: 0, answers: list.Count);
        foreach (var record in list)
        {
            writer.Name(record.Name);
            var (type, data) = record switch
            {
                PtrRecord p => (DnsRecordType.Ptr, Writer.NameBytes(p.Target)),
                SrvRecord s => (DnsRecordType.Srv, [.. Writer.U16Bytes(s.Priority), .. Writer.U16Bytes(s.Weight), .. Writer.U16Bytes(s.Port), .. Writer.NameBytes(s.Target)]),
                TxtRecord t => (DnsRecordType.Txt, Writer.TxtBytes(t.Entries)),
                AddressRecord a => (a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? DnsRecordType.A : DnsRecordType.Aaaa, a.Address.GetAddressBytes()),
                _ => throw new ArgumentException($"cannot encode {record.GetType().Name}"),
            };
            writer.U16((ushort)type);
            writer.U16(1);
            writer.U32((uint)record.Ttl.TotalSeconds);
            writer.U16((ushort)data.Length);
            writer.Bytes(data);
        }

        return writer.ToArray();
    }

    private sealed class Writer
    {
        private readonly List<byte> _bytes = [];

        public void Header(ushort flags, int questions, int answers)
        {
            U16(0);
            U16(flags);
            U16((ushort)questions);
            U16((ushort)answers);
            U16(0);
            U16(0);
        }

        public void U16(ushort value) => _bytes.AddRange(U16Bytes(value));

        public void U32(uint value) => _bytes.AddRange([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

        public void Name(string name) => _bytes.AddRange(NameBytes(name));

        public void Bytes(byte[] data) => _bytes.AddRange(data);

        public byte[] ToArray() => [.. _bytes];

        public static byte[] U16Bytes(ushort value) => [(byte)(value >> 8), (byte)value];

        public static byte[] NameBytes(string name)
        {
            var bytes = new List<byte>();
            foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                var encoded = Encoding.UTF8.GetBytes(label);
                if (encoded.Length > 63)
                {
                    throw new ArgumentException($"label longer than 63 bytes in {name}");
                }

                bytes.Add((byte)encoded.Length);
                bytes.AddRange(encoded);
            }

            bytes.Add(0);
            return [.. bytes];
        }

        public static byte[] TxtBytes(IEnumerable<string> entries)
        {
            var bytes = new List<byte>();
            foreach (var entry in entries)
            {
                var encoded = Encoding.UTF8.GetBytes(entry);
                if (encoded.Length > 255)
                {
                    throw new ArgumentException("TXT string longer than 255 bytes");
                }

                bytes.Add((byte)encoded.Length);
                bytes.AddRange(encoded);
            }

            return bytes.Count == 0 ? [0] : [.. bytes];
        }
    }
}
