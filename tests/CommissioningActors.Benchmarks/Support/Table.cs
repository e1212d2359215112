using System.Globalization;

namespace CommissioningActors.Benchmarks.Support;

/// <summary>A plain-text table for the console; benchmarks also write the same figures as JSON.</summary>
public sealed class Table(string title, params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public Table Row(params object?[] cells)
    {
        _rows.Add([.. cells.Select(Format)]);
        return this;
    }

    public static string Format(object? value) => value switch
    {
        null => "-",
        double d when double.IsNaN(d) => "n/a",
        double d => d.ToString(Math.Abs(d) >= 1000 ? "N0" : Math.Abs(d) >= 10 ? "0.0" : "0.000", CultureInfo.InvariantCulture),
        long or int => string.Format(CultureInfo.InvariantCulture, "{0:N0}", value),
        bool b => b ? "yes" : "no",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "-",
    };

    public void Print()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Select(r => i < r.Length ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        Console.WriteLine();
        Console.WriteLine($"== {title} ==");
        Console.WriteLine(Line(headers));
        Console.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            Console.WriteLine(Line(row));
        }

        string Line(string[] cells) => string.Join(" | ", widths.Select((w, i) => (i < cells.Length ? cells[i] : string.Empty).PadRight(w)));
    }
}
