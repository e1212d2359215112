using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Core.Tests.Matter;

/// <summary>
/// A device behind fake sessions for flow tests: answers the flow's Interaction Model requests like a
/// commissionee (test vendor 0xFFF1 / product 0x8000 with its own PAA -> PAI -> DAC chain, so attestation really
/// verifies against <see cref="Trust"/>), with scripted answers for AddNOC and CommissioningComplete.
/// Requests arrive on session actors' threads; the test reads the record only after a reply it caused.
/// </summary>
public sealed class FakeCommissionee : IDisposable
{
    private static readonly DateTimeOffset NotBefore = DateTimeOffset.UtcNow.AddDays(-1);
    private static readonly DateTimeOffset NotAfter = DateTimeOffset.UtcNow.AddYears(1);

    /// <summary>
    /// connectedhomeip's published test declaration (TestCertificationDeclaration.cpp, signed message 01: vendor
    /// 0xFFF1, products [0x8000], signed by the test CD signing key), which covers this device's DAC.
    /// </summary>
    private static readonly byte[] TestDeclaration = Convert.FromHexString(
        "3081e806092a864886f70d010702a081da3081d7020103310d300b0609608648016503040201304506092a864886f70d010701a0380436152400012501f1ff360205008018250334122c04135a494732303134315a423333303030312d32342405002406002507942624080018317c307a020103801462fa823359acfaa9963e1cfa140addf504f37160300b0609608648016503040201300a06082a8648ce3d04030204463044022043a63f2b943df33c38b3e02fcaa75fe3532aebbf5e63f5bbdbc0b1f01d3c4f6002204c1abf5f1807b81894b1576c47e4724e4d966c612ed3fa25c118c3f2b3f90369");

    private readonly ECDsa _paaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _paiKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _dacKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _operationalKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly byte[] _dac;
    private readonly byte[] _pai;
    private readonly List<string> _commands = [];
    private int _disarms;
    private int _paseCloseSessions;

    public FakeCommissionee()
    {
        using var paa = Issue(null, _paaKey, _paaKey, "PAA", null, null, pathLength: 1);
        using var pai = Issue(paa, _paaKey, _paiKey, "PAI", "FFF1", null, pathLength: 0);
        using var dac = Issue(pai, _paiKey, _dacKey, "DAC", "FFF1", "8000", pathLength: null);
        _dac = dac.RawData;
        _pai = pai.RawData;
        Trust = PaaTrustStore.FromCertificates([paa.RawData], isDevelopment: true);
    }

    public PaaTrustStore Trust { get; }

    public byte[] AttestationChallenge { get; } = RandomNumberGenerator.GetBytes(16);

    /// <summary>The Basic Information VendorID / ProductID the initial read reports (null: left out); the DAC stays 0xFFF1 / 0x8000.</summary>
    public ushort? ReportedVendorId { get; init; } = 0xFFF1;

    public ushort? ReportedProductId { get; init; } = 0x8000;

    /// <summary>NOCResponse status for AddNOC (0 = OK).</summary>
    public byte NocStatus { get; init; }

    /// <summary>CommissioningCompleteResponse error code (0 = OK).</summary>
    public byte CompleteError { get; init; }

    /// <summary>The root NetworkCommissioning feature map the initial read reports (null: no such cluster).</summary>
    public uint? NetworkFeatures { get; init; }

    /// <summary>NetworkConfigResponse status for AddOrUpdate*Network (0 = Success).</summary>
    public byte NetworkConfigStatus { get; init; }

    /// <summary>ConnectNetworkResponse status (0 = Success).</summary>
    public byte ConnectStatus { get; init; }

    /// <summary>On ConnectNetwork the session ends without an answer, as a device leaving BLE for its network.</summary>
    public bool DropOnConnect { get; init; }

    /// <summary>Every command the device was sent, in order: "cluster/command" (ArmFailSafe with its seconds, ConnectNetwork with its network id).</summary>
    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_commands)
            {
                return [.. _commands];
            }
        }
    }

    /// <summary>How many PASE sessions were ended with a CloseSession (a matter.js device then drops an uncommitted fabric).</summary>
    public int PaseCloseSessions => Volatile.Read(ref _paseCloseSessions);

    public void PaseClosedBySession() => Interlocked.Increment(ref _paseCloseSessions);

    /// <summary>How many ArmFailSafe(0) (disarm) the device was sent.</summary>
    public int Disarms => Volatile.Read(ref _disarms);

    public SessionReady Ready(ushort peerSessionId = 2) =>
        new(1, peerSessionId, SecureSessionParameters.Defaults, AttestationChallenge);

    /// <summary>The device's answer to one request, as the session would give it to the flow.</summary>
    public object Answer(SendRequest request)
    {
        if (request.Opcode == (byte)InteractionModelOpcode.ReadRequest)
        {
            Record("read");
            List<AttributeReportIB> reports =
            [
                AttributeReportIB.Of(new AttributeDataIB(new AttributePath(0, 0x30, 1),
                    TlvElement.Structure(TlvTag.Anonymous, new TlvElement(TlvTag.Context(0), new TlvUnsigned(60)), new TlvElement(TlvTag.Context(1), new TlvUnsigned(900))))),
                Attribute(0x30, 3, new TlvUnsigned(2)),
                Attribute(0x3E, 3, new TlvUnsigned(0)),
            ];
            if (ReportedVendorId is { } vendor)
            {
                reports.Add(Attribute(0x28, 2, new TlvUnsigned(vendor)));
            }

            if (ReportedProductId is { } product)
            {
                reports.Add(Attribute(0x28, 4, new TlvUnsigned(product)));
            }

            if (NetworkFeatures is { } features)
            {
                reports.Add(Attribute(0x31, 0xFFFC, new TlvUnsigned(features)));
            }

            return Reply(request, InteractionModelOpcode.ReportData, new ReportDataMessage(reports).Encode());
        }

        var command = InvokeRequestMessage.Decode(request.Payload).Value!.Requests[0];
        var fields = command.Fields!;
        Record((command.Path.Cluster, command.Path.Command) switch
        {
            (0x30, 0) => $"0x30/0 {fields[0]!.AsUnsigned()}",
            (0x31, 6) => $"0x31/6 {Convert.ToHexString(fields[0]!.AsBytes()!.Value.Span)}",
            var (cluster, id) => $"0x{cluster:X2}/{id}",
        });
        if ((command.Path.Cluster, command.Path.Command) == (0x31, 6) && DropOnConnect)
        {
            return ScriptedSession.Drop;
        }

        return (command.Path.Cluster, command.Path.Command) switch
        {
            (0x30, 2) => Command(request, 0x30, 3, (0, new TlvUnsigned(0)), (1, new TlvUtf8(""))),
            (0x31, 2) or (0x31, 3) => Command(request, 0x31, 5, (0, new TlvUnsigned(NetworkConfigStatus)), (1, new TlvUtf8(NetworkConfigStatus == 0 ? "" : "refused")), (2, new TlvUnsigned(0))),
            (0x31, 6) => Command(request, 0x31, 7, (0, new TlvUnsigned(ConnectStatus)), (1, new TlvUtf8(""))),
            (0x30, 0) => ArmFailSafe(request, fields[0]!.AsUnsigned()!.Value),
            (0x3E, 2) => Command(request, 0x3E, 3, (0, new TlvBytes(fields[0]!.AsUnsigned() == 1 ? _dac : _pai))),
            (0x3E, 0) => Signed(request, 1, Tlv(1, new TlvBytes(TestDeclaration), 2, new TlvBytes(fields[0]!.AsBytes()!.Value), 3, new TlvUnsigned(0))),
            (0x3E, 4) => Signed(request, 5, Tlv(1, new TlvBytes(Csr()), 2, new TlvBytes(fields[0]!.AsBytes()!.Value))),
            (0x3E, 11) => Reply(request, InteractionModelOpcode.InvokeResponse, new InvokeResponseMessage(
                [InvokeResponseIB.Of(new CommandStatusIB(command.Path, StatusIB.Success))]).Encode()),
            (0x3E, 6) => Command(request, 0x3E, 8, (0, new TlvUnsigned(NocStatus)), (1, new TlvUnsigned(1))),
            (0x30, 4) => Command(request, 0x30, 5, (0, new TlvUnsigned(CompleteError)), (1, new TlvUtf8(""))),
            _ => new RequestFailed(request.RequestId, RequestFailureKind.StatusReport, "unexpected command"),
        };
    }

    private void Record(string command)
    {
        lock (_commands)
        {
            _commands.Add(command);
        }
    }

    private object ArmFailSafe(SendRequest request, ulong seconds)
    {
        if (seconds == 0)
        {
            Interlocked.Increment(ref _disarms);
        }

        return Command(request, 0x30, 1, (0, new TlvUnsigned(0)), (1, new TlvUtf8("")));
    }

    private object Signed(SendRequest request, uint response, byte[] elements) =>
        Command(request, 0x3E, response, (0, new TlvBytes(elements)), (1, new TlvBytes(
            _dacKey.SignData([.. elements, .. AttestationChallenge], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))));

    private byte[] Csr() => new CertificateRequest("CN=operational", _operationalKey, HashAlgorithmName.SHA256).CreateSigningRequest();

    private static byte[] Tlv(params object[] tagsAndValues)
    {
        var members = new List<TlvElement>();
        for (var i = 0; i < tagsAndValues.Length; i += 2)
        {
            members.Add(new TlvElement(TlvTag.Context(Convert.ToByte(tagsAndValues[i])), (TlvValue)tagsAndValues[i + 1]));
        }

        return TlvWriter.Encode(TlvElement.Structure(TlvTag.Anonymous, [.. members]));
    }

    private static AttributeReportIB Attribute(uint cluster, uint attribute, TlvValue value) =>
        AttributeReportIB.Of(new AttributeDataIB(new AttributePath(0, cluster, attribute), new TlvElement(TlvTag.Anonymous, value)));

    private static RequestSucceeded Command(SendRequest request, uint cluster, uint command, params (byte Tag, TlvValue Value)[] fields) =>
        Reply(request, InteractionModelOpcode.InvokeResponse, new InvokeResponseMessage([InvokeResponseIB.Of(new CommandDataIB(
            new CommandPath(0, cluster, command),
            TlvElement.Structure(TlvTag.Anonymous, [.. fields.Select(f => new TlvElement(TlvTag.Context(f.Tag), f.Value))])))]).Encode());

    private static RequestSucceeded Reply(SendRequest request, InteractionModelOpcode opcode, byte[] payload) =>
        new(request.RequestId, MatterProtocolId.InteractionModel, (byte)opcode, payload);

    private static X509Certificate2 Issue(X509Certificate2? issuer, ECDsa issuerKey, ECDsa key, string cn, string? vendorId, string? productId, int? pathLength)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName($"Fake {cn}");
        if (vendorId is not null)
        {
            name.Add(MatterOids.VendorId, vendorId, UniversalTagNumber.UTF8String);
        }

        if (productId is not null)
        {
            name.Add(MatterOids.ProductId, productId, UniversalTagNumber.UTF8String);
        }

        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        var isCa = pathLength is not null;
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, isCa, pathLength ?? 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            isCa ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign : X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(NotBefore, NotAfter);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), NotBefore, NotAfter, RandomNumberGenerator.GetBytes(8));
    }

    public void Dispose()
    {
        Trust.Dispose();
        _paaKey.Dispose();
        _paiKey.Dispose();
        _dacKey.Dispose();
        _operationalKey.Dispose();
    }
}

/// <summary>A session child that reports <paramref name="established"/> to its owner, then answers requests from <paramref name="answer"/>.</summary>
public sealed class ScriptedSession : ReceiveActor
{
    /// <summary>An answer that makes the session stop instead of replying (the link went away).</summary>
    public static readonly object Drop = new();

    private readonly IActorRef _owner;
    private readonly object _established;

    public ScriptedSession(IActorRef owner, object established, Func<SendRequest, object> answer, Action? closedBySession = null)
    {
        _owner = owner;
        _established = established;
        Receive<SendRequest>(r =>
        {
            var reply = answer(r);
            if (ReferenceEquals(reply, Drop))
            {
                Context.Stop(Self);
                return;
            }

            Sender.Tell(reply);
        });
        Receive<CloseSecureSession>(_ =>
        {
            closedBySession?.Invoke();
            Context.Stop(Self);
        });
    }

    protected override void PreStart()
    {
        _owner.Tell(_established, Self);
        if (_established is SessionEstablishmentFailed)
        {
            Context.Stop(Self);
        }
    }
}
