using System.CommandLine;

namespace CommissioningActors.Host.Cli;

/// <summary>Where a verb writes, and the one place that connects and turns failures into messages and exit codes.</summary>
public sealed class CliContext(TextWriter output, TextWriter error, CliSettings settings)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;
    public CliSettings Settings { get; } = settings;

    public async Task<int> RunAsync(ParseResult parsed, Option<string> urlOption, Option<string?> tokenOption, CancellationToken cancellationToken,
        Func<ControllerClient, CancellationToken, Task<int>> verb)
    {
        if (!TryUrl(parsed.GetValue(urlOption), out var url))
        {
            await Error.WriteLineAsync($"error: --url must be a ws://, wss://, http:// or https:// URL (default {CliApp.DefaultUrl})");
            return CliExitCodes.Unavailable;
        }

        var token = parsed.GetValue(tokenOption) ?? Settings.Environment(CliApp.TokenVariable);
        try
        {
            await using var client = await ControllerClient.ConnectAsync(url, token, Settings.ConnectTimeout, cancellationToken);
            return await verb(client, cancellationToken);
        }
        catch (ControllerUnavailableException e)
        {
            await Error.WriteLineAsync($"error: {e.Message}");
            return CliExitCodes.Unavailable;
        }
        catch (ControllerErrorException e)
        {
            await Error.WriteLineAsync($"error: {e.ErrorCode}: {CliApp.Redact(e.Details)}");
            return CliExitCodes.Unavailable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Error.WriteLineAsync("interrupted");
            return CliExitCodes.Interrupted;
        }
    }

    /// <summary>Accepts the http form too: people copy the service's listen URL.</summary>
    private static bool TryUrl(string? text, out Uri url)
    {
        url = null!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed))
        {
            return false;
        }

        var scheme = parsed.Scheme switch
        {
            "ws" or "http" => "ws",
            "wss" or "https" => "wss",
            _ => null,
        };
        if (scheme is null)
        {
            return false;
        }

        var builder = new UriBuilder(parsed) { Scheme = scheme, Port = parsed.IsDefaultPort ? -1 : parsed.Port };
        if (builder.Path is "" or "/")
        {
            builder.Path = "/ws";
        }

        url = builder.Uri;
        return true;
    }
}
