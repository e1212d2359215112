namespace CommissioningActors.Protocol.Matter.Messages;

public enum CounterCheck
{
    New,
    Duplicate,
}

/// <summary>
/// Receive-side duplicate detection (spec 4.6.5): the largest counter seen plus a 32-bit bitmap of the 32
/// counters below it. On a secure unicast session (encrypted, no rollover) the window starts synchronised
/// at 0 (peers start their counters at 1 or more) and a counter at or behind the window is a duplicate. On
/// an unsecured session counters roll over, the first counter is trusted, and a counter far behind the
/// window is taken as new (the peer rebooted); duplicates there are flagged, never fatal. For secured
/// messages call <see cref="Check"/> only after the MIC verified, so a forged counter cannot move the window.
/// </summary>
public sealed class ReceptionWindow
{
    public const int Size = 32;

    private readonly bool _secure;
    private uint _max;
    private uint _bitmap;
    private bool _initialised;

    private ReceptionWindow(bool secure)
    {
        _secure = secure;

        // Not "trust the first with everything below it seen": MRP may deliver a retransmission of an
        // earlier counter after a later message (e.g. a standalone ack), and that one must still count.
        _initialised = secure;
    }

    public static ReceptionWindow ForSecureUnicast() => new(secure: true);

    public static ReceptionWindow ForUnsecured() => new(secure: false);

    public uint? MaxCounter => _initialised ? _max : null;

    /// <summary>Classifies <paramref name="counter"/> and, when it is new, records it.</summary>
    public CounterCheck Check(uint counter)
    {
        if (!_initialised)
        {
            // Unsecured: trust the first counter; nothing below it has been seen yet.
            _initialised = true;
            _max = counter;
            _bitmap = 0;
            return CounterCheck.New;
        }

        // Secure: plain difference, no rollover. Unsecured: difference modulo 2^32.
        long diff = _secure ? (long)counter - _max : unchecked((int)(counter - _max));
        if (diff == 0)
        {
            return CounterCheck.Duplicate;
        }

        if (diff < 0 && diff >= -Size)
        {
            var bit = 1u << (int)(-diff - 1);
            if ((_bitmap & bit) != 0)
            {
                return CounterCheck.Duplicate;
            }

            _bitmap |= bit;
            return CounterCheck.New;
        }

        if (diff < 0 && _secure)
        {
            return CounterCheck.Duplicate;
        }

        // Ahead of the window (or, unsecured, far behind it): the window moves to the new maximum.
        // Bit i stands for counter max-1-i; the old maximum lands on bit diff-1 (a shift by 32 would be a no-op).
        _bitmap = diff switch
        {
            > 0 and < Size => (_bitmap << (int)diff) | (1u << (int)(diff - 1)),
            Size => 1u << (Size - 1),
            _ => 0,
        };

        _max = counter;
        return CounterCheck.New;
    }
}
