using Akka.Actor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;
using static CommissioningActors.Core.Matter.Commissioning.FlowPayloads;

namespace CommissioningActors.Core.Matter.Commissioning;

/// <summary>The steps after PASE, each waiting for its own answer.</summary>
public sealed partial class CommissioningFlowActor
{
    private const byte Invoke = (byte)InteractionModelOpcode.InvokeRequest;
    private byte[] _dac = [];
    private byte[] _pai = [];
    private byte[] _csr = [];
    private ulong _nodeId;
    private AttestationResult? _attested;

    private void ReadInitialData() => Request(FlowStep.ReadInitialData, MatterProtocolId.InteractionModel,
        (byte)InteractionModelOpcode.ReadRequest, FlowPayloads.ReadInitialData(), answer =>
        {
            var (data, error) = ParseInitialData(answer.Payload);
            if (data is null)
            {
                Fail("commissioning_failed", error!);
                return;
            }

            _initial = data;
            Line($"device vendor 0x{data.VendorId:X4}, product 0x{data.ProductId:X4}, fail-safe {data.FailSafeSeconds} s, {data.CommissionedFabrics} fabrics");
            if (_settings.AdvertisedIds is { } advertised && (advertised.VendorId, advertised.ProductId) != (data.VendorId, data.ProductId))
            {
                Line($"warning: the device advertised vendor 0x{advertised.VendorId:X4}, product 0x{advertised.ProductId:X4} but reports vendor 0x{data.VendorId:X4}, product 0x{data.ProductId:X4}; attestation checks the reported ids");
            }

            if (ChooseNetwork())
            {
                ArmFailSafe();
            }
        });

    private void ArmFailSafe() => Request(FlowStep.ArmFailSafe, MatterProtocolId.InteractionModel, Invoke,
        FlowPayloads.ArmFailSafe(_initial.FailSafeSeconds), answer =>
        {
            if (CommandFields(answer, GeneralCommissioning, 1) is not { } fields)
            {
                return;
            }

            if (CommissioningError(fields) is { } error)
            {
                Fail("commissioning_failed", error);
                return;
            }

            _armed = true;
            Line($"fail-safe armed for {_initial.FailSafeSeconds} s");
            _step = FlowStep.SetRegulatoryConfig;
            if (_network is not null)
            {
                SetRegulatoryConfig();
                return;
            }

            // On the network the device already has its network: matter.js skips this step too.
            Line("SetRegulatoryConfig skipped: the device is already on the IP network");
            RequestCertificate(1);
        });

    private void RequestCertificate(byte type) => Request(FlowStep.Attestation, MatterProtocolId.InteractionModel, Invoke,
        FlowPayloads.Invoke(OperationalCredentials, 2, (0, new TlvUnsigned(type))), answer =>
        {
            if (CommandFields(answer, OperationalCredentials, 3) is not { } fields)
            {
                return;
            }

            if (fields[0]?.AsBytes() is not { Length: > 0 and <= DeviceAttestation.MaxCertificateLength } certificate)
            {
                Fail("attestation_failed", $"the device sent no usable {(type == 1 ? "DAC" : "PAI")}");
                return;
            }

            if (type == 1)
            {
                _dac = certificate.ToArray();
                RequestCertificate(2);
            }
            else
            {
                _pai = certificate.ToArray();
                RequestAttestation();
            }
        });

    private void RequestAttestation()
    {
        var nonce = RandomNumberGenerator.GetBytes(32);
        Request(FlowStep.Attestation, MatterProtocolId.InteractionModel, Invoke,
            FlowPayloads.Invoke(OperationalCredentials, 0, (0, new TlvBytes(nonce))), answer =>
            {
                if (CommandFields(answer, OperationalCredentials, 1) is not { } fields)
                {
                    return;
                }

                var elements = fields[0]?.AsBytes()?.ToArray() ?? [];
                var signature = fields[1]?.AsBytes()?.ToArray() ?? [];
                if (_initial is not { VendorId: { } vendor, ProductId: { } product })
                {
                    Fail("attestation_failed", "the device did not report its Basic Information VendorID and ProductID, so its identity cannot be checked against its DAC");
                    return;
                }

                // Chain, signature, nonce, the CD, and the reported VID/PID against the DAC and the CD (AttestationIdentity).
                var verified = AttestationVerifier.Verify(_trust, _settings.CertificationDeclarationSigners ?? CertificationDeclarationSigners.Default,
                    _dac, _pai, elements, signature, _attestationChallenge, nonce, new DeviceBasicInformation(vendor, product));
                if (!verified.IsOk)
                {
                    Fail("attestation_failed", verified.Error!.ToString());
                    return;
                }

                var info = verified.Value!;
                _attested = info;
                Line($"attestation verified: vendor 0x{info.VendorId:X4}, product 0x{info.ProductId:X4}{(info.IsDevelopmentDevice ? " (test device)" : "")}, matching the device's Basic Information and certification declaration");
                foreach (var warning in info.Warnings)
                {
                    Line($"attestation warning: {warning}");
                }

                RequestCsr();
            });
    }

    private void RequestCsr()
    {
        var nonce = RandomNumberGenerator.GetBytes(32);
        Request(FlowStep.CsrRequest, MatterProtocolId.InteractionModel, Invoke,
            FlowPayloads.Invoke(OperationalCredentials, 4, (0, new TlvBytes(nonce))), answer =>
            {
                if (CommandFields(answer, OperationalCredentials, 5) is not { } fields)
                {
                    return;
                }

                var elements = fields[0]?.AsBytes()?.ToArray() ?? [];
                var signature = fields[1]?.AsBytes()?.ToArray() ?? [];
                var decoded = TlvDecoder.Decode(elements);
                var csr = decoded.IsOk ? decoded.Value![1]?.AsBytes() : null;
                var echoed = decoded.IsOk ? decoded.Value![2]?.AsBytes() : null;
                if (csr is null || echoed is null || !echoed.Value.Span.SequenceEqual(nonce))
                {
                    Fail("commissioning_failed", "the NOCSR elements lack the CSR or our nonce");
                    return;
                }

                if (!SignedByDac([.. elements, .. _attestationChallenge], signature))
                {
                    Fail("attestation_failed", "the NOCSR elements are not signed by the device's DAC");
                    return;
                }

                _csr = csr.Value.ToArray();
                Line("CSR received and signed by the device's DAC");
                _fabric.Tell(AllocateNodeId.Instance);
                AwaitFabric<NodeIdAllocated>(FlowStep.CsrRequest, allocated =>
                {
                    _nodeId = allocated.NodeId;
                    Line($"node id {_nodeId} allocated");
                    _fabric.Tell(GetFabric.Instance);
                    AwaitFabric<FabricInfo>(FlowStep.AddTrustedRootCertificate, AddTrustedRoot);
                });
            });
    }

    private void AddTrustedRoot(FabricInfo fabric) => Request(FlowStep.AddTrustedRootCertificate, MatterProtocolId.InteractionModel, Invoke,
        FlowPayloads.Invoke(OperationalCredentials, 11, (0, new TlvBytes(MatterCertificateTlv.Encode(fabric.RootCertificate)))), answer =>
        {
            if (CommandFields(answer, OperationalCredentials, 11) is null)
            {
                return;
            }

            Line("root certificate added");
            _fabric.Tell(new IssueNoc(_nodeId, _csr));
            AwaitFabric<NocIssued>(FlowStep.AddNoc, issued => AddNoc(fabric, issued));
        });

    private void AddNoc(FabricInfo fabric, NocIssued issued) => Request(FlowStep.AddNoc, MatterProtocolId.InteractionModel, Invoke,
        FlowPayloads.AddNoc(MatterCertificateTlv.Encode(issued.Noc), fabric.Ipk, fabric.ControllerNodeId, fabric.AdminVendorId), answer =>
        {
            if (CommandFields(answer, OperationalCredentials, 8) is not { } fields)
            {
                return;
            }

            if (NocError(fields) is { } error)
            {
                Fail("commissioning_failed", error);
                return;
            }

            Line($"operational certificate added: node id {_nodeId}");
            AfterNoc();
        });

    /// <summary>The response command's fields, or null after failing the step with the device's status.</summary>
    private TlvElement? CommandFields(RequestSucceeded answer, uint cluster, uint command)
    {
        var (fields, error) = ParseInvoke(answer.Payload, cluster, command);
        if (fields is null)
        {
            Fail(_step == FlowStep.Attestation ? "attestation_failed" : "commissioning_failed", error!);
        }

        return fields;
    }

    private bool SignedByDac(byte[] message, byte[] signature)
    {
        try
        {
            using var dac = X509CertificateLoader.LoadCertificate(_dac);
            using var key = dac.GetECDsaPublicKey();
            return key is not null && key.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
