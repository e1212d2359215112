using System.Security.Cryptography;
using Akka.Actor;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Core.Matter.Sessions;

/// <summary>
/// CASE as initiator with our controller's NOC (instead of PASE): Sigma1/2/3 on the unsecured session, then the
/// same <see cref="SessionReady"/> and secured <see cref="SendRequest"/> exchanges as after PASE.
/// </summary>
public sealed partial class SecureSessionActor
{
    private CaseInitiator? _case;
    private ECDsa? _caseKey;
    private readonly ulong _localNodeId;

    public SecureSessionActor(IMatterChannel channel, IActorRef owner, ControllerCredentials credentials, ulong peerNodeId, SecureSessionOptions options)
    {
        _channel = channel;
        _owner = owner;
        _options = options;
        _localSessionId = options.LocalSessionId != 0 ? options.LocalSessionId : (ushort)Random.Shared.Next(1, 65536);
        _localNodeId = credentials.ControllerNodeId;
        _caseKey = ECDsa.Create();
        _caseKey.ImportPkcs8PrivateKey(credentials.ControllerKeyPkcs8, out _);
        var rootKey = credentials.RootCertificate.PublicKey;
        var compressed = CaseKeySchedule.CompressedFabricId(rootKey, credentials.FabricId);
        var fabric = new CaseFabric(CaseKeySchedule.OperationalIpk(credentials.IpkEpochKey, compressed), rootKey, credentials.FabricId,
            MatterCertificateTlv.Encode(credentials.Noc), null, _caseKey);
        var validator = new MatterCertificateValidator(credentials.RootCertificate, credentials.FabricId);
        _case = new CaseInitiator(fabric, peerNodeId, _localSessionId, validator.AsDelegate());
        Establishing();
    }

    /// <summary>A CASE session to <paramref name="peerNodeId"/> on our fabric (the peer must hold a NOC under our root).</summary>
    public static Props CaseProps(IMatterChannel channel, IActorRef owner, ControllerCredentials credentials, ulong peerNodeId, SecureSessionOptions? options = null) =>
        Akka.Actor.Props.Create(() => new SecureSessionActor(channel, owner, credentials, peerNodeId, options ?? new SecureSessionOptions()));

    private string Establishment => _case is null ? "PASE" : "CASE";

    private void DisposeCase()
    {
        _case?.Dispose();
        _case = null;
        _caseKey?.Dispose();
        _caseKey = null;
    }
}
