using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Simulator.Tests.Matter;

/// <summary>A clock tests move by hand.</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// The device's clusters driven directly (no transport), as a commissioner on a PASE session would: builds
/// commands with the service's own command builders and issues NOCs from a real <see cref="FabricAuthority"/>.
/// </summary>
public sealed class DeviceHarness : IDisposable
{
    public static readonly byte[] Challenge = Enumerable.Range(7, 16).Select(i => (byte)i).ToArray();

    public DeviceHarness(SimulatedDeviceOptions? options = null)
    {
        Options = (options ?? new SimulatedDeviceOptions()) with { Time = Time };
        State = new DeviceState(Options, DeviceAttestationCredentials.For(Options.VendorId, Options.ProductId));
        Model = new DeviceDataModel(State);
        Context = new InteractionContext(false, 0, null, 1, Challenge) { BindToFabric = Bind };
    }

    public ManualTime Time { get; } = new();
    public SimulatedDeviceOptions Options { get; }
    public DeviceState State { get; }
    public DeviceDataModel Model { get; }
    public InteractionContext Context { get; set; }
    public FabricAuthority Authority { get; } = FabricAuthority.Create(0x1234, 1);
    public byte[] Ipk { get; } = RandomNumberGenerator.GetBytes(16);

    private void Bind(byte index) => Context = Context with { FabricIndex = index };

    public CommandResult Invoke(ClusterCommand command, ushort endpoint = 0) =>
        Model.Cluster(endpoint, command.Cluster)!.Invoke(command.Command, command.Fields, Context);

    public TlvElement Read(ushort endpoint, uint cluster, uint attribute) =>
        Model.Cluster(endpoint, cluster)!.Read(attribute, Context).Value!;

    public static ulong Code(CommandResult result) => result.Fields!.AsContainer()![0].AsUnsigned()!.Value;

    public CommandResult Arm(ushort seconds = 60) => Invoke(GeneralCommissioningCommands.ArmFailSafe(seconds, 1));

    /// <summary>CSRRequest, AddTrustedRootCertificate and AddNOC for node <paramref name="nodeId"/>; returns the NOCResponse.</summary>
    public CommandResult JoinFabric(ulong nodeId = 0x42)
    {
        var nonce = RandomNumberGenerator.GetBytes(32);
        var csr = Invoke(OperationalCredentialsCommands.CsrRequest(nonce));
        var fields = csr.Fields!.AsContainer()!;
        var issued = CommissioningCredentials.IssueNocFor(fields[0].AsBytes()!.Value.Span, fields[1].AsBytes()!.Value.Span, nodeId, Authority, Ipk,
            nonce, Challenge, State.Attestation.Dac);
        Assert.True(issued.IsOk, issued.Error?.Message);
        Assert.True(Invoke(OperationalCredentialsCommands.AddTrustedRootCertificate(CommissioningCredentials.BuildAddTrustedRoot(Authority))).Status.IsSuccess);
        return Invoke(OperationalCredentialsCommands.AddNoc(issued.Value!.NocTlv, [], Ipk, 0x99, 0xFFF1));
    }

    public void Dispose()
    {
        State.Dispose();
        State.Attestation.Dispose();
        Authority.Dispose();
    }
}
