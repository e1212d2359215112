using System.Security.Cryptography;
using System.Text;

namespace CommissioningActors.Host.Security;

/// <summary>Checks the shared token on /ble and /ws before the WebSocket upgrade.</summary>
public static class TokenAuthentication
{
    public static bool IsAuthorized(HttpRequest request, string? expected)
    {
        if (string.IsNullOrEmpty(expected))
        {
            return true;
        }

        var presented = BearerToken(request) ?? request.Query["token"].FirstOrDefault();
        return presented is not null && FixedTimeEquals(presented, expected);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.FirstOrDefault();
        const string prefix = "Bearer ";
        return header is not null && header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            ? header[prefix.Length..].Trim()
            : null;
    }

    // Hashing first makes the comparison constant-time in the token's length too.
    private static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    public static IApplicationBuilder UseTokenForSockets(this IApplicationBuilder app, string? token, params string[] paths) =>
        app.Use(async (context, next) =>
        {
            if (paths.Any(p => context.Request.Path.StartsWithSegments(p)) && !IsAuthorized(context.Request, token))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await context.Response.WriteAsJsonAsync(new { error_code = "unauthorized", details = "missing or wrong token" });
                return;
            }

            await next();
        });
}
