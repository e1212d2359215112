using Akka.Configuration;

namespace CommissioningActors.Core.Configuration;

/// <summary>
/// Reading one `commissioning.*` HOCON section into a settings record: an absent or empty section gives the
/// defaults; a value out of its range stops startup with a <see cref="ConfigurationException"/> naming the section.
/// </summary>
public static class HoconSettings
{
    public static T Read<T>(Config config, string path, T defaults, Func<Config, T> read)
    {
        var section = config.GetConfig(path);
        return section is null || section.IsEmpty ? defaults : read(section);
    }

    /// <summary>Throws "<paramref name="path"/>: <paramref name="rule"/>" unless <paramref name="holds"/>.</summary>
    public static void Require(bool holds, string path, string rule)
    {
        if (!holds)
        {
            throw new ConfigurationException($"{path}: {rule}");
        }
    }

    /// <summary>Reads one value; one that does not parse (e.g. "-5s", "ten") stops startup naming <paramref name="key"/>.</summary>
    public static T Value<T>(string key, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"{key}: cannot be read ({e.Message})", e);
        }
    }

    public static bool AllAtLeast(int minimum, params int[] values) => values.All(v => v >= minimum);

    public static bool AllPositive(params TimeSpan[] durations) => durations.All(d => d > TimeSpan.Zero);
}
