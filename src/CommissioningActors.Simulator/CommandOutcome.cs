using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Simulator;

/// <summary>Response null = send nothing. After runs once the response is on the wire (events that must follow it).</summary>
internal sealed record CommandOutcome(CommandResponse? Response, Func<Task>? After = null)
{
    public static readonly CommandOutcome Silent = new((CommandResponse?)null);

    public static CommandOutcome Ok(int id, BleCommandResult result, Func<Task>? after = null) =>
        new(CommandResponse.Ok(id, result), after);

    public static CommandOutcome Fail(int id, string code, string message) => new(CommandResponse.Fail(id, code, message));
}
