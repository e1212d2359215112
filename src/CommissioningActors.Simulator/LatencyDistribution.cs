using System.Globalization;

namespace CommissioningActors.Simulator;

/// <summary>
/// Where a simulated latency comes from, so load tests see the spread of real radios rather than one value.
/// Parse accepts "fixed:MS", "uniform:MIN-MAX" and "lognormal:MEDIAN,SIGMA[,MAX]" (milliseconds).
/// </summary>
public abstract record LatencyDistribution
{
    /// <summary>One draw; never negative.</summary>
    public abstract TimeSpan Sample(Random random);

    public static LatencyDistribution Fixed(TimeSpan value) => new FixedLatency(value);

    public static LatencyDistribution Uniform(TimeSpan min, TimeSpan max) => new UniformLatency(min, max);

    public static LatencyDistribution LogNormal(TimeSpan median, double sigma, TimeSpan? max = null) =>
        new LogNormalLatency(median, sigma, max);

    public static LatencyDistribution Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (kind, args) = text.IndexOf(':') is var colon and >= 0 ? (text[..colon], text[(colon + 1)..]) : (text, string.Empty);
        try
        {
            switch (kind.Trim().ToLowerInvariant())
            {
                case "fixed":
                    return Fixed(Ms(args));
                case "uniform":
                    var range = args.Split('-', 2);
                    return Uniform(Ms(range[0]), Ms(range[1]));
                case "lognormal":
                    var parts = args.Split(',');
                    return LogNormal(Ms(parts[0]), double.Parse(parts[1], CultureInfo.InvariantCulture),
                        parts.Length > 2 ? Ms(parts[2]) : null);
            }
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentException)
        {
            throw new FormatException($"bad latency distribution '{text}': {e.Message}", e);
        }

        throw new FormatException($"bad latency distribution '{text}': use fixed:MS, uniform:MIN-MAX or lognormal:MEDIAN,SIGMA[,MAX]");
    }

    private static TimeSpan Ms(string value) =>
        TimeSpan.FromMilliseconds(double.Parse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture));
}

public sealed record FixedLatency(TimeSpan Value) : LatencyDistribution
{
    public override TimeSpan Sample(Random random) => Value < TimeSpan.Zero ? TimeSpan.Zero : Value;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"fixed:{Value.TotalMilliseconds}");
}

public sealed record UniformLatency : LatencyDistribution
{
    public UniformLatency(TimeSpan min, TimeSpan max)
    {
        if (min < TimeSpan.Zero || max < min)
        {
            throw new ArgumentException("uniform latency needs 0 <= min <= max");
        }

        Min = min;
        Max = max;
    }

    public TimeSpan Min { get; }
    public TimeSpan Max { get; }

    public override TimeSpan Sample(Random random) => Min + (Max - Min) * random.NextDouble();

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"uniform:{Min.TotalMilliseconds}-{Max.TotalMilliseconds}");
}

/// <summary>Long right tail like real BLE connects; Max (when set) clips the tail.</summary>
public sealed record LogNormalLatency : LatencyDistribution
{
    public LogNormalLatency(TimeSpan median, double sigma, TimeSpan? max)
    {
        if (median <= TimeSpan.Zero || sigma < 0 || max < median)
        {
            throw new ArgumentException("lognormal latency needs median > 0, sigma >= 0 and max >= median");
        }

        Median = median;
        Sigma = sigma;
        Max = max;
    }

    public TimeSpan Median { get; }
    public double Sigma { get; }
    public TimeSpan? Max { get; }

    public override TimeSpan Sample(Random random)
    {
        // Box-Muller; 1 - NextDouble() keeps the log argument above zero.
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var value = Median * Math.Exp(Sigma * normal);
        return Max is { } max && value > max ? max : value;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"lognormal:{Median.TotalMilliseconds},{Sigma}{(Max is { } m ? $",{m.TotalMilliseconds}" : string.Empty)}");
}
