using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Events;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Core.Streams;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Controller;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Text;
using static CommissioningActors.Core.Controller.CommandArgs;
using CommissioningActors.Core.Metrics;

namespace CommissioningActors.Core.Controller;

/// <summary>What a controller session talks to. <paramref name="Matter"/> null: the Matter commands answer not_available.</summary>
public sealed record ControllerServices(IActorRef Jobs, IActorRef Events, IMaterializer Materializer, int MaxFrameBytes, int FollowerBuffer,
    Matter.Network.MatterServices? Matter = null);

/// <summary>
/// One per /ws client. Sends server_info on connect and answers commands; bad input gets a structured error on
/// its message_id and the connection stays up. Each stream (follow_job, follow_jobs, subscribe_events) is a
/// FollowerActor child; a follower that overflows gets the `backpressure` error sent and the socket closed.
/// </summary>
public sealed partial class ControllerSessionActor : ReceiveActor
{
    private static readonly string ServerVersion =
        typeof(ControllerSessionActor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";

    /// <summary>Each stream costs an actor, a buffer and a subscription: a client gets a handful, not unbounded.</summary>
    public const int MaxStreams = 16;

    private readonly IActorRef _outbound;
    private readonly ISocketWriter _writer;
    private readonly ControllerServices _services;
    private readonly Dictionary<string, IActorRef> _streams = new(StringComparer.Ordinal);

    // Followers told to stop, and the unsubscribe each answers once it has (after the stream's last frame).
    private readonly Dictionary<IActorRef, string> _unsubscribing = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _requests;
    private bool _closing;

    public ControllerSessionActor(IActorRef outbound, ISocketWriter writer, ControllerServices services)
    {
        _outbound = outbound;
        _writer = writer;
        _services = services;

        Receive<SocketTextReceived>(frame => OnCommand(frame.Utf8));
        Receive<SocketFlowCheck>(check => check.Processed.TrySetResult());
        Receive<SocketBinaryReceived>(_ =>
            Send(ControllerCodec.Error(null, ControllerErrorCodes.InvalidCommand, "binary frames are not part of the controller API")));
        Receive<FollowerOverflowed>(OnOverflow);
        Receive<FollowerFailed>(f =>
        {
            // One stream failing is that stream's business: report it, keep the socket.
            Send(ControllerCodec.Error(f.MessageId, ControllerErrorCodes.InternalError, $"stream failed: {f.Reason}"));
        });
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_outbound))
            {
                // The socket's outbound side is gone (the pump ended, maybe before we were attached).
                Context.Stop(Self);
                return;
            }

            foreach (var id in _streams.Where(s => s.Value.Equals(t.ActorRef)).Select(s => s.Key).ToList())
            {
                _streams.Remove(id);
            }

            if (_unsubscribing.Remove(t.ActorRef, out var unsubscribe))
            {
                Send(ControllerCodec.Result(unsubscribe, new JsonObject { ["unsubscribed"] = true }));
            }
        });
        Receive<GetFollowerCount>(_ => Sender.Tell(new FollowerCount(_streams.Count)));
        Receive<SocketClosed>(_ => Context.Stop(Self));
    }

    public static Props Props(IActorRef outbound, ISocketWriter writer, ControllerServices services) =>
        Akka.Actor.Props.Create(() => new ControllerSessionActor(outbound, writer, services));

    protected override void PreStart()
    {
        Context.Watch(_outbound);
        ServerInfo(null);
    }

    // A stream's failure is one client's problem; never restart a session into a half-known socket state.
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void OnCommand(byte[] utf8)
    {
        if (_closing)
        {
            return;
        }

        var (command, error) = ControllerCodec.ParseCommand(utf8, _services.MaxFrameBytes);
        if (error is not null)
        {
            Send(ControllerCodec.Error(error.MessageId, error.ErrorCode, error.Details));
            return;
        }

        try
        {
            Dispatch(command!);
        }
        catch (ArgumentException e)
        {
            Send(ControllerCodec.Error(command!.MessageId, ControllerErrorCodes.InvalidArgs, e.Message));
        }
    }

    private void Dispatch(ControllerCommand c)
    {
        switch (c.Command)
        {
            case "server_info":
                ServerInfo(c.MessageId);
                break;
            case "commission_with_code":
                CommissionWithCode(c);
                break;
            case "commission_device":
                CommissionDevice(c);
                break;
            case "cancel_job":
                Request(c.MessageId, _services.Jobs, new ToJob(RequiredString(c, "job_id"), new CancelJob("cancelled by a client")), reply => reply switch
                {
                    CancelJobResult r => ControllerCodec.Result(c.MessageId, new JsonObject { ["cancelled"] = r.Cancelled }),
                    _ => null,
                });
                break;
            case "list_jobs":
                var (list, paged) = JobListing.Parse(c);
                Request(c.MessageId, _services.Jobs, list, reply => reply is JobList jobs
                    ? ControllerCodec.Result(c.MessageId, JobListing.Result(jobs, paged))
                    : null);
                break;
            case "get_job":
                Request(c.MessageId, _services.Jobs, new ToJob(RequiredString(c, "job_id"), GetJob.Instance), reply => reply is JobSnapshot s
                    ? ControllerCodec.Result(c.MessageId, ControllerJson.JobWithOutput(s))
                    : null);
                break;
            case "follow_job":
                Follow(c.MessageId, _services.Jobs, new ToJob(RequiredString(c, "job_id"), FollowJob.Instance), FollowJobFormat.Instance);
                break;
            case "follow_jobs":
                Follow(c.MessageId, _services.Jobs, FollowJobs.Instance, FollowJobsFormat.Instance);
                break;
            case "subscribe_events":
                Follow(c.MessageId, _services.Events, SubscribeEvents.Instance, SubscribeEventsFormat.Instance);
                break;
            case "unsubscribe":
                Unsubscribe(c.MessageId, RequiredString(c, "stream_id"));
                break;
            default:
                if (!DispatchMatter(c))
                {
                    Send(ControllerCodec.Error(c.MessageId, ControllerErrorCodes.InvalidCommand, $"unknown command '{Truncate(c.Command)}'"));
                }

                break;
        }
    }

    private void CommissionWithCode(ControllerCommand c)
    {
        var code = RequiredString(c, "code");
        var networkOnly = OptionalBool(c, "network_only") ?? false;
        var parsed = SetupCode.Parse(code);
        if (!parsed.IsOk)
        {
            // The message names what is wrong, never the code itself.
            Send(ControllerCodec.Error(c.MessageId, AttemptErrorCodes.InvalidCode, $"invalid setup code: {parsed.Error!.Message}"));
            return;
        }

        IReadOnlyList<string> secrets = [code, .. PasscodeForms(parsed.Value!.Passcode)];
        if (networkOnly)
        {
            StartNetworkJob(c, parsed.Value!, secrets, address: null, matchDiscriminator: true);
            return;
        }

        StartJob(c, parsed.Value!, secrets, addresses: null);
    }

    private void CommissionDevice(ControllerCommand c)
    {
        var passcode = OptionalInt(c, "passcode") ?? throw new ArgumentException("passcode (integer) is required");
        if (passcode < 0 || !SetupCode.IsValidPasscode((uint)passcode))
        {
            Send(ControllerCodec.Error(c.MessageId, AttemptErrorCodes.InvalidCode, "passcode is not a valid Matter setup passcode"));
            return;
        }

        var payload = DevicePayload(c, (uint)passcode);
        StartJob(c, payload, PasscodeForms((uint)passcode), Addresses(c));
    }

    private void StartJob(ControllerCommand c, SetupPayload payload, IReadOnlyList<string> secrets, IReadOnlyList<string>? addresses,
        NetworkTarget? network = null)
    {
        var timeout = Timeout(c);
        var label = OptionalString(c, "label");
        var jobId = Guid.NewGuid().ToString("N")[..12];
        var request = new CommissionRequest(jobId, payload, addresses, timeout, label, network);
        Request(c.MessageId, _services.Jobs, new CreateCommissionJob(request, secrets, Self), reply => reply switch
        {
            JobCreated created => ControllerCodec.Result(c.MessageId, new JsonObject { ["job_id"] = created.JobId }),
            JobRejected rejected => ControllerCodec.Error(c.MessageId, rejected.ErrorCode, rejected.Message),
            _ => null,
        });
    }

    private void Follow(string messageId, IActorRef publisher, object subscribe, IFollowFormat format)
    {
        if (_streams.Count + _unsubscribing.Count >= MaxStreams)
        {
            Send(ControllerCodec.Error(messageId, ControllerErrorCodes.InvalidArgs,
                $"at most {MaxStreams} streams per connection; unsubscribe one first"));
            return;
        }

        if (_streams.ContainsKey(messageId))
        {
            Send(ControllerCodec.Error(messageId, ControllerErrorCodes.InvalidArgs, "a stream with this message_id is already open"));
            return;
        }

        var follower = Context.ActorOf(FollowerActor.Props(messageId, publisher, subscribe, _writer, _services.Materializer, format,
            _services.FollowerBuffer), $"stream-{++_requests}");
        _streams[messageId] = Context.Watch(follower);
    }

    private void Unsubscribe(string messageId, string streamId)
    {
        if (!_streams.Remove(streamId, out var follower))
        {
            Send(ControllerCodec.Result(messageId, new JsonObject { ["unsubscribed"] = false }));
            return;
        }

        // Answered on Terminated: the follower stops after its last frame is written, so the reply cannot
        // overtake the stream it ends.
        _unsubscribing[follower] = messageId;
        follower.Tell(StopFollowing.Instance);
    }

    private void OnOverflow(FollowerOverflowed overflow)
    {
        if (_closing)
        {
            return;
        }

        // Fail closed: a client this far behind reconnects and reseeds from a fresh snapshot.
        _closing = true;
        CommissioningMetrics.For(Context.System).BackpressureClosed();
        _log.Warning("Controller client fell {0} events behind on stream {1}; sending backpressure and closing its socket",
            overflow.BufferSize, PeerText.Escape(overflow.MessageId, 64));
        var frame = ControllerCodec.Error(overflow.MessageId, ControllerErrorCodes.Backpressure,
            $"stream fell {overflow.BufferSize} events behind; reconnect and subscribe again");
        _writer.SendThenCloseAsync(frame, 1008, "backpressure");
        foreach (var stream in _streams.Values)
        {
            Context.Stop(stream);
        }
    }

    private void ServerInfo(string? messageId) =>
        Request(messageId, _services.Events, GetInitialState.Instance, reply =>
        {
            if (reply is not InitialState state)
            {
                return null;
            }

            var info = new JsonObject
            {
                ["version"] = ServerVersion,
                ["protocol_versions"] = new JsonObject
                {
                    ["controller"] = ControllerCodec.ApiVersion,
                    ["ble_proxy"] = BleProxyCodec.ProtocolVersion,
                },
                ["proxies"] = ControllerJson.InitialState(state)["proxies"]!.DeepClone(),
                ["jobs"] = ControllerJson.JobsSummary(state.Jobs),
            };
            return messageId is null ? ControllerCodec.Event("server_info", info) : ControllerCodec.Result(messageId, info);
        });

    private void Request(string? messageId, IActorRef target, object request, Func<object, string?> toFrame, TimeSpan? timeout = null) =>
        Context.ActorOf(RequestActor.Props(messageId, target, request, _outbound, reply => reply switch
        {
            UnknownJob u => ControllerCodec.Error(messageId, ControllerErrorCodes.UnknownJob, $"no job with id '{Truncate(u.JobId)}'"),
            _ => toFrame(reply),
        }, timeout), $"request-{++_requests}");

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "...";

    private void Send(string text) => _outbound.Tell(new SendText(text));

    protected override void PostStop() => _outbound.Tell(new CloseSocket(1000, "session ended"));
}
