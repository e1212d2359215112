using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Core.Matter.Nodes;

/// <summary>What the node actor does after feeding an interaction the device's message.</summary>
internal abstract record InteractionStep
{
    public sealed record Continue(ImOutgoing Message) : InteractionStep;

    /// <summary>Done with <see cref="Result"/> (a ReadResult or InvokeResult); send <see cref="Final"/> first when not null.</summary>
    public sealed record Done(object Result, ImOutgoing? Final) : InteractionStep;

    public sealed record Failed(ImError Error, ImOutgoing? Final) : InteractionStep;
}

/// <summary>One Interaction Model client (read or invoke) behind a single shape the node actor drives over a conversation.</summary>
internal abstract class NodeInteraction
{
    public abstract ImOutgoing Start();

    public abstract InteractionStep Receive(InteractionModelOpcode opcode, ReadOnlySpan<byte> payload);

    public static NodeInteraction Read(AttributePath path, ReadLimits limits) => new ReadInteraction(new ReadClient([path], limits: limits));

    public static NodeInteraction Invoke(InvokeClient client) => new InvokeInteraction(client);

    private sealed class ReadInteraction(ReadClient client) : NodeInteraction
    {
        public override ImOutgoing Start() => client.Start();

        public override InteractionStep Receive(InteractionModelOpcode opcode, ReadOnlySpan<byte> payload) => client.Receive(opcode, payload) switch
        {
            ReadStep.Continue c => new InteractionStep.Continue(c.Reply),
            ReadStep.Completed done => new InteractionStep.Done(done.Result, done.Reply),
            ReadStep.Failed failed => new InteractionStep.Failed(failed.Error, failed.Reply),
            var other => throw new InvalidOperationException($"unknown read step {other.GetType().Name}"),
        };
    }

    private sealed class InvokeInteraction(InvokeClient client) : NodeInteraction
    {
        public override ImOutgoing Start() => client.Start();

        public override InteractionStep Receive(InteractionModelOpcode opcode, ReadOnlySpan<byte> payload) => client.Receive(opcode, payload) switch
        {
            InvokeStep.Send s => new InteractionStep.Continue(s.Message),
            InvokeStep.Completed done => new InteractionStep.Done(done.Result, null),
            InvokeStep.Failed failed => new InteractionStep.Failed(failed.Error, failed.Reply),
            var other => throw new InvalidOperationException($"unknown invoke step {other.GetType().Name}"),
        };
    }
}
