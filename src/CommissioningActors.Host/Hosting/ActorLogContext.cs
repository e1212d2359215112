using Akka.Event;

namespace CommissioningActors.Host.Hosting;

/// <summary>What a log line says about the actor that wrote it: its class as category, its path and ids as properties.</summary>
public static class ActorLogContext
{
    // Parent actor name (in the path) -> the property its child's name is.
    private static readonly Dictionary<string, string> IdsByParent = new(StringComparer.Ordinal)
    {
        ["jobs"] = "JobId",
        ["commissioning"] = "JobId",
        ["proxies"] = "ProxyId",
        ["nodes"] = "NodeId",
    };

    public static string Category(LogEvent e) =>
        e.LogClass is { } type && type != typeof(object) && !type.Namespace!.StartsWith("Akka.Event", StringComparison.Ordinal)
            ? type.FullName ?? type.Name
            : e.LogSource ?? "Akka";

    /// <summary>ActorPath plus JobId/ProxyId/NodeId read from the path's segments under the parents that own them.</summary>
    public static Dictionary<string, object> Properties(string? logSource)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(logSource))
        {
            return properties;
        }

        properties["ActorPath"] = logSource;
        var segments = logSource.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // Only below /user: the system's own name ("commissioning") is also a segment.
        for (var i = Array.IndexOf(segments, "user") + 1; i > 0 && i + 1 < segments.Length; i++)
        {
            if (IdsByParent.TryGetValue(segments[i], out var property) && !properties.ContainsKey(property))
            {
                var name = segments[i + 1];
                var dash = name.IndexOf('-', StringComparison.Ordinal);
                // Children are named "job-{id}", "attempt-{id}"; a proxy session is named by its id alone.
                var id = property != "ProxyId" && dash > 0 ? name[(dash + 1)..] : name;
                properties[property] = Uri.UnescapeDataString(id);
            }
        }

        return properties;
    }
}
