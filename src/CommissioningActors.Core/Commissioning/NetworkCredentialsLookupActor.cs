using Akka.Actor;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Storage;

namespace CommissioningActors.Core.Commissioning;

/// <summary>The stored networks for one BLE commissioning request; <paramref name="Error"/> set when the fabric registry could not say.</summary>
public sealed record NetworkCredentialsLooked(StartCommissioning Start, IActorRef ReplyTo, CommissioningNetworks Networks, string? Error);

/// <summary>
/// Asks the fabric registry for the stored Wi-Fi credentials and Thread dataset (both kinds) for one request and
/// tells its parent <see cref="NetworkCredentialsLooked"/>, then stops. One per request, so each answer is matched
/// to its request by who it came to, not by order; bounded by a timeout.
/// </summary>
public sealed class NetworkCredentialsLookupActor : ReceiveActor, IWithTimers
{
    private readonly StartCommissioning _start;
    private readonly IActorRef _replyTo;
    private readonly IActorRef _fabric;
    private readonly TimeSpan _timeout;
    private NetworkCredentials? _wifi;
    private NetworkCredentials? _thread;
    private int _answers;

    public NetworkCredentialsLookupActor(StartCommissioning start, IActorRef replyTo, IActorRef fabric, TimeSpan timeout)
    {
        _start = start;
        _replyTo = replyTo;
        _fabric = fabric;
        _timeout = timeout;
        Receive<NetworkCredentialsFound>(found =>
        {
            if (found.Kind == NetworkKind.WiFi)
            {
                _wifi = found.Credentials;
            }
            else
            {
                _thread = found.Credentials;
            }

            if (++_answers == 2)
            {
                Report(null);
            }
        });
        Receive<FabricUnavailable>(u => Report($"the fabric registry is unavailable: {u.Reason}"));
        Receive<LookupTimedOut>(_ => Report("the fabric registry did not say which networks are stored"));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StartCommissioning start, IActorRef replyTo, IActorRef fabric, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new NetworkCredentialsLookupActor(start, replyTo, fabric, timeout));

    protected override void PreStart()
    {
        _fabric.Tell(new GetNetworkCredentials(NetworkKind.WiFi));
        _fabric.Tell(new GetNetworkCredentials(NetworkKind.Thread));
        Timers.StartSingleTimer(nameof(LookupTimedOut), LookupTimedOut.Instance, _timeout);
    }

    private void Report(string? error)
    {
        Context.Parent.Tell(new NetworkCredentialsLooked(_start, _replyTo, new CommissioningNetworks(_wifi, _thread), error));
        Context.Stop(Self);
    }

    private sealed record LookupTimedOut
    {
        public static readonly LookupTimedOut Instance = new();
    }
}
