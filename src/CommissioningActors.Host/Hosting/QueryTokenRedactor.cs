using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace CommissioningActors.Host.Hosting;

/// <summary>
/// Keeps the `?token=` credential out of every log event: ASP.NET Core logs the request's query string
/// (Request starting / finished, at Information and below), wrong tokens included. Every property value that looks
/// like it carries a query has its token parameter replaced, whatever the parameter's case or percent-encoding.
/// </summary>
public sealed partial class QueryTokenRedactor : ILogEventEnricher
{
    public const string Mask = "***";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties)
        {
            var redacted = Redact(value);
            if (!ReferenceEquals(redacted, value))
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, redacted));
            }
        }
    }

    /// <summary>The text with the value of every query parameter named `token` masked.</summary>
    public static string Redact(string text) =>
        text.Contains('=', StringComparison.Ordinal)
            ? QueryParameter().Replace(text, m => IsToken(m.Groups["name"].Value) ? $"{m.Groups["lead"].Value}{m.Groups["name"].Value}={Mask}" : m.Value)
            : text;

    private static bool IsToken(string name)
    {
        try
        {
            return Uri.UnescapeDataString(name.Replace('+', ' ')).Trim().Equals("token", StringComparison.OrdinalIgnoreCase);
        }
        catch (UriFormatException)
        {
            return false;
        }
    }

    // Returns the same instance when nothing changed, so untouched events cost no allocation.
    private static LogEventPropertyValue Redact(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string or Uri } scalar:
                var text = scalar.Value.ToString()!;
                var redacted = Redact(text);
                return redacted == text ? value : new ScalarValue(redacted);
            case SequenceValue sequence:
                var items = sequence.Elements.Select(Redact).ToList();
                return items.SequenceEqual(sequence.Elements) ? value : new SequenceValue(items);
            case StructureValue structure:
                var props = structure.Properties.Select(p => new LogEventProperty(p.Name, Redact(p.Value))).ToList();
                return props.Select(p => p.Value).SequenceEqual(structure.Properties.Select(p => p.Value))
                    ? value
                    : new StructureValue(props, structure.TypeTag);
            case DictionaryValue dictionary:
                var entries = dictionary.Elements.Select(kv => new KeyValuePair<ScalarValue, LogEventPropertyValue>(kv.Key, Redact(kv.Value))).ToList();
                return entries.Select(kv => kv.Value).SequenceEqual(dictionary.Elements.Select(kv => kv.Value)) ? value : new DictionaryValue(entries);
            default:
                return value;
        }
    }

    // A query parameter: after ?, & or ; (or at the start of a bare query string), name=value up to the next separator.
    [GeneratedRegex(@"(?<lead>^|[?&;])(?<name>[^=&;?#\s]+)=(?<value>[^&;#\s""']*)", RegexOptions.CultureInvariant)]
    private static partial Regex QueryParameter();
}
