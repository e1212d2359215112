using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace CommissioningActors.Protocol.Text;

/// <summary>
/// Makes text a peer controls (addresses, names, proxy error messages, reasons) safe to put in one log line,
/// one job output line or an error/verdict message: control characters become visible escapes, and the
/// result is truncated. A peer can then neither start a line of its own nor flood a log with one string.
/// </summary>
/// <remarks>
/// Escaped: C0 controls and DEL (<c>\n</c>, <c>\r</c>, <c>\t</c>, others as <c>\u001b</c>), C1 controls, the
/// Unicode line and paragraph separators (U+2028/2029), the bidirectional overrides and isolates (they can
/// make a line read backwards) and lone surrogates. Backslashes are kept as they are, so ordinary text reads
/// unchanged; an escape is never a line break, whichever way it came about.
/// </remarks>
public static class PeerText
{
    /// <summary>Enough for any real address, name or error message; anything longer is a peer flooding.</summary>
    public const int DefaultMaxLength = 128;

    public const string Ellipsis = "…";

    [return: NotNullIfNotNull(nameof(text))]
    public static string? Escape(string? text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (text is null)
        {
            return null;
        }

        if (text.Length <= maxLength && !NeedsEscaping(text))
        {
            return text;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var piece = c switch
            {
                _ when char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) => text.Substring(i, 2),
                _ when MustEscape(c) => EscapeOf(c),
                _ => null,
            };

            var length = piece?.Length ?? 1;
            if (builder.Length + length > maxLength)
            {
                return builder.Append(Ellipsis).ToString();
            }

            if (piece is null)
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(piece);
                if (char.IsHighSurrogate(c) && piece.Length == 2)
                {
                    i++;
                }
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscaping(string text)
    {
        foreach (var c in text)
        {
            if (MustEscape(c))
            {
                return true;
            }
        }

        return false;
    }

    // Any surrogate sends the text the slow way, where a pair is kept and a lone one escaped.
    private static bool MustEscape(char c) => c switch
    {
        < ' ' or '\u007f' => true,
        >= '\u0080' and <= '\u009f' => true,
        '\u2028' or '\u2029' => true,
        >= '\u202a' and <= '\u202e' => true,
        >= '\u2066' and <= '\u2069' => true,
        '\u200e' or '\u200f' or '\u061c' => true,
        _ => char.IsLowSurrogate(c) || char.IsHighSurrogate(c),
    };

    private static string EscapeOf(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
    };
}
