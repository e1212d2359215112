using Akka.Configuration;

namespace CommissioningActors.Core.Tests;

/// <summary>The repository's hocon/*.hocon files as the host ships them.</summary>
public static class ShippedHocon
{
    public static Config Load(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "hocon", fileName);
            if (File.Exists(candidate))
            {
                return ConfigurationFactory.ParseString(File.ReadAllText(candidate));
            }
        }

        throw new FileNotFoundException($"hocon/{fileName} above {AppContext.BaseDirectory}");
    }
}
