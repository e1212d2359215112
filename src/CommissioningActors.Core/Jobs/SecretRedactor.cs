using System.Text;
using System.Text.RegularExpressions;

namespace CommissioningActors.Core.Jobs;

/// <summary>
/// Replaces registered secrets (passcodes, setup codes, Wi-Fi passwords) with <see cref="Mask"/>.
/// A secret also matches with dashes or whitespace inserted between its characters, so a manual
/// pairing code registered as <c>34970112332</c> is caught as <c>3497-011-2332</c> or <c>3497 011 2332</c>
/// (and vice versa). Matching is ordinal and case-sensitive. Not thread-safe.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";

    private readonly HashSet<string> _secrets = new(StringComparer.Ordinal);
    private Regex? _pattern;

    public int Count => _secrets.Count;

    /// <summary>Registers a secret; returns false when it was already registered.</summary>
    /// <exception cref="ArgumentException">The secret is empty once dashes and whitespace are removed.</exception>
    public bool Register(string secret)
    {
        var core = Normalize(secret);
        if (!_secrets.Add(core))
        {
            return false;
        }

        _pattern = BuildPattern(_secrets);
        return true;
    }

    public string Redact(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return _pattern is null ? line : _pattern.Replace(line, Mask);
    }

    /// <summary>One-off redaction; build a <see cref="SecretRedactor"/> instead when redacting many lines.</summary>
    public static string Redact(string line, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var redactor = new SecretRedactor();
        foreach (var secret in secrets)
        {
            redactor.Register(secret);
        }

        return redactor.Redact(line);
    }

    private static string Normalize(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var core = new StringBuilder(secret.Length);
        foreach (var c in secret)
        {
            if (!IsSeparator(c))
            {
                _ = core.Append(c);
            }
        }

        // An empty secret would match everywhere and mask the whole output.
        return core.Length > 0
            ? core.ToString()
            : throw new ArgumentException("A secret must contain something other than dashes and whitespace.", nameof(secret));
    }

    private static bool IsSeparator(char c) => c == '-' || char.IsWhiteSpace(c);

    private static Regex BuildPattern(IEnumerable<string> secrets)
    {
        // Longest first so a secret containing another is masked whole, not left half-visible.
        var alternatives = secrets
            .OrderByDescending(s => s.Length)
            .ThenBy(s => s, StringComparer.Ordinal)
            .Select(s => string.Join(@"[-\s]*", s.Select(c => Regex.Escape(c.ToString()))));
        return new Regex(string.Join("|", alternatives), RegexOptions.CultureInvariant);
    }
}
