using Akka.Configuration;
using CommissioningActors.Core.Matter.Resolution;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter.Resolution;

public sealed class ResolverSettingsTests
{
    [Fact]
    public void The_shipped_hocon_holds_the_defaults_and_uses_every_multicast_interface()
    {
        var file = FindUp("hocon/matter-resolver.hocon");

        var settings = ResolverSettings.FromConfig(ConfigurationFactory.ParseString(File.ReadAllText(file)));

        Assert.Empty(settings.Multicast.Interfaces);
        Assert.Equal(ResolverSettings.Default, settings with { Multicast = ResolverSettings.Default.Multicast });
    }

    [Fact]
    public void Interfaces_and_families_can_be_narrowed_to_loopback()
    {
        var settings = ResolverSettings.FromConfig(ConfigurationFactory.ParseString(
            """commissioning.matter.resolver { interfaces = ["lo"], ipv6 = off, query-interval = 250ms, max-instances = 3 }"""));

        Assert.Equal(["lo"], settings.Multicast.Interfaces);
        Assert.False(settings.Multicast.Ipv6);
        Assert.True(settings.Multicast.Ipv4);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.QueryInterval);
        Assert.Equal(3, settings.MaxInstances);
    }

    [Theory]
    [InlineData("ipv4 = off, ipv6 = off")]
    [InlineData("max-instances = 0")]
    [InlineData("max-pending = -1")]
    [InlineData("query-interval = 0s")]
    public void Nonsense_is_refused_at_start(string line) =>
        Assert.Throws<ConfigurationException>(() =>
            ResolverSettings.FromConfig(ConfigurationFactory.ParseString($"commissioning.matter.resolver {{ {line} }}")));

    private static string FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(relative);
    }
}
