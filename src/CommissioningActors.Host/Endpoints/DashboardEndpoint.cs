using System.Reflection;

namespace CommissioningActors.Host.Endpoints;

/// <summary>
/// The dashboard at `/`: three static files embedded in this assembly, so a fresh checkout serves it without a
/// front-end build step and it cannot drift from the binary (docs/architecture.md, "Dashboard").
/// </summary>
public static class DashboardEndpoint
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "Dashboard.index.html", "text/html; charset=utf-8"),
        ("/dashboard.js", "Dashboard.dashboard.js", "text/javascript; charset=utf-8"),
        ("/dashboard.css", "Dashboard.dashboard.css", "text/css; charset=utf-8"),
    ];

    public static void MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            var bytes = Load(resource);
            endpoints.MapGet(path, (HttpContext context) =>
            {
                // The page opens /ws from script: no framing by other sites, no inline script.
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.XFrameOptions = "DENY";
                context.Response.Headers.ContentSecurityPolicy =
                    "default-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'";
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(bytes, contentType);
            });
        }
    }

    private static byte[] Load(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"dashboard resource {resource} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
