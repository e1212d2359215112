using System.Security.Cryptography;

namespace CommissioningActors.Protocol.Matter.Messages;

/// <summary>
/// An outgoing message counter (spec 4.6.1). A secure session's counter starts at a random value in
/// 1..2^28 and never rolls over: when it is spent, <see cref="TryNext"/> fails and the session must end.
/// The global unencrypted counter rolls over.
/// </summary>
public sealed class MessageCounter
{
    private uint _current;
    private bool _exhausted;

    private MessageCounter(uint initial, bool rollsOver)
    {
        _current = initial;
        RollsOver = rollsOver;
    }

    public bool RollsOver { get; }

    /// <summary>The value the next message will carry (before <see cref="TryNext"/> is called).</summary>
    public uint Peek => _current;

    /// <summary>A counter for one secure unicast session.</summary>
    public static MessageCounter ForSecureSession(Func<uint>? random32 = null) =>
        new(RandomInitial(random32), rollsOver: false);

    /// <summary>The node's counter for unsecured messages (PASE/CASE establishment, before any keys).</summary>
    public static MessageCounter ForUnsecured(Func<uint>? random32 = null) => new(RandomInitial(random32), rollsOver: true);

    /// <summary>A counter resuming at a known value (e.g. restored from storage).</summary>
    public static MessageCounter StartingAt(uint next, bool rollsOver) => new(next, rollsOver);

    /// <summary>1 + the top 28 bits of a random u32: uniform in [1, 2^28].</summary>
    public static uint RandomInitial(Func<uint>? random32 = null) =>
        ((random32 ?? SecureRandom32)() >> 4) + 1;

    public bool TryNext(out uint counter)
    {
        if (_exhausted)
        {
            counter = 0;
            return false;
        }

        counter = _current;
        if (_current == uint.MaxValue)
        {
            if (RollsOver)
            {
                _current = 0;
            }
            else
            {
                _exhausted = true;
            }
        }
        else
        {
            _current++;
        }

        return true;
    }

    private static uint SecureRandom32() => BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
}
