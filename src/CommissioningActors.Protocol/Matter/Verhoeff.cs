namespace CommissioningActors.Protocol.Matter;

/// <summary>
/// Verhoeff check digit (dihedral group D5), used by Matter manual pairing codes: it catches every
/// single-digit error and every adjacent transposition.
/// </summary>
public static class Verhoeff
{
    // Multiplication in D5: 0-4 are rotations, 5-9 reflections.
    private static readonly byte[,] Multiply =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 },
        { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 },
        { 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 },
        { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 },
        { 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 },
        { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
        { 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 },
        { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 },
        { 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 },
        { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
    };

    // Row i is the permutation (1 5 7 6 2 8 3 0 9 4) applied i times; it repeats after 8.
    private static readonly byte[,] Permute =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 },
        { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 },
        { 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 },
        { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 },
        { 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 },
        { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
        { 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 },
        { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
    };

    private static readonly byte[] Inverse = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

    /// <summary>The check digit to append to <paramref name="digits"/> (ASCII digits only).</summary>
    public static char ComputeCheckDigit(ReadOnlySpan<char> digits)
    {
        var c = Checksum(digits, offset: 1);
        if (c < 0)
        {
            throw new ArgumentException("Verhoeff input must be ASCII digits", nameof(digits));
        }

        return (char)('0' + Inverse[c]);
    }

    /// <summary>Whether the last character of <paramref name="digitsWithCheck"/> is the right check digit.</summary>
    public static bool IsValid(ReadOnlySpan<char> digitsWithCheck) =>
        digitsWithCheck.Length > 0 && Checksum(digitsWithCheck, offset: 0) == 0;

    /// <returns>The running check value, or -1 when a character is not a digit.</returns>
    private static int Checksum(ReadOnlySpan<char> digits, int offset)
    {
        var c = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[digits.Length - 1 - i] - '0';
            if (digit is < 0 or > 9)
            {
                return -1;
            }

            c = Multiply[c, Permute[(i + offset) % 8, digit]];
        }

        return c;
    }
}
