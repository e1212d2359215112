using System.Text;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;
using CommissioningActors.Protocol.Text;

namespace CommissioningActors.Core.Matter.Commissioning;

/// <summary>The payloads of the network steps (SetRegulatoryConfig, NetworkCommissioning 0x0031). Secrets go only into payloads.</summary>
public static partial class FlowPayloads
{
    public const uint NetworkCommissioning = 0x31;
    public const uint FeatureMapAttribute = 0xFFFC;
    public const uint WiFiFeature = 0x1;
    public const uint ThreadFeature = 0x2;
    public const uint EthernetFeature = 0x4;

    /// <summary>Country code "XX" (unknown / worldwide), as matter.js falls back to.</summary>
    public const string DefaultCountryCode = "XX";

    private const byte ThreadExtendedPanIdType = 2;

    /// <summary>SetRegulatoryConfig {0 newRegulatoryConfig, 1 countryCode, 2 breadcrumb}.</summary>
    public static byte[] SetRegulatoryConfig(byte location, string countryCode, ulong breadcrumb) =>
        Invoke(GeneralCommissioning, 2, (0, new TlvUnsigned(location)), (1, new TlvUtf8(countryCode)), (2, new TlvUnsigned(breadcrumb)));

    /// <summary>AddOrUpdateWiFiNetwork {0 ssid, 1 credentials, 2 breadcrumb}.</summary>
    public static byte[] AddOrUpdateWiFiNetwork(byte[] ssid, byte[] password, ulong breadcrumb) =>
        Invoke(NetworkCommissioning, 2, (0, new TlvBytes(ssid)), (1, new TlvBytes(password)), (2, new TlvUnsigned(breadcrumb)));

    /// <summary>AddOrUpdateThreadNetwork {0 operationalDataset, 1 breadcrumb}.</summary>
    public static byte[] AddOrUpdateThreadNetwork(byte[] dataset, ulong breadcrumb) =>
        Invoke(NetworkCommissioning, 3, (0, new TlvBytes(dataset)), (1, new TlvUnsigned(breadcrumb)));

    /// <summary>ConnectNetwork {0 networkId, 1 breadcrumb}.</summary>
    public static byte[] ConnectNetwork(byte[] networkId, ulong breadcrumb) =>
        Invoke(NetworkCommissioning, 6, (0, new TlvBytes(networkId)), (1, new TlvUnsigned(breadcrumb)));

    /// <summary>
    /// The network id the device will list for <paramref name="credentials"/>: the SSID's bytes for Wi-Fi, the
    /// dataset's extended PAN id for Thread (null when the dataset has none or is malformed).
    /// </summary>
    public static byte[]? NetworkId(NetworkCredentials credentials) =>
        credentials.Kind == NetworkKind.WiFi ? Encoding.UTF8.GetBytes(credentials.Ssid ?? "") : ExtendedPanId(credentials.Secret);

    /// <summary>The Thread operational dataset's Extended PAN ID TLV (type 2, 8 bytes).</summary>
    public static byte[]? ExtendedPanId(ReadOnlySpan<byte> dataset)
    {
        byte[]? panId = null;
        var at = 0;
        while (at < dataset.Length)
        {
            if (at + 2 > dataset.Length || at + 2 + dataset[at + 1] > dataset.Length)
            {
                return null;
            }

            if (dataset[at] == ThreadExtendedPanIdType && dataset[at + 1] == 8)
            {
                panId = dataset.Slice(at + 2, 8).ToArray();
            }

            at += 2 + dataset[at + 1];
        }

        return panId;
    }

    /// <summary>
    /// Which stored network fits the device's NetworkCommissioning feature map (Wi-Fi first, as matter.js), or why
    /// none does, naming what the device needs.
    /// </summary>
    public static (NetworkCredentials? Chosen, string? Missing) ChooseNetwork(uint? features, CommissioningNetworks networks)
    {
        var map = features ?? 0;
        var wifi = (map & WiFiFeature) != 0;
        var thread = (map & ThreadFeature) != 0;
        if (wifi && networks.WiFi is { } w)
        {
            return (w, null);
        }

        if (thread && networks.Thread is { } t)
        {
            return (t, null);
        }

        return (null, (wifi, thread) switch
        {
            (true, true) => "the device joins Wi-Fi or Thread networks: store Wi-Fi credentials (set_wifi_credentials) or a Thread dataset (set_thread_dataset)",
            (true, false) => "the device joins Wi-Fi networks only: store Wi-Fi credentials (set_wifi_credentials)",
            (false, true) => "the device joins Thread networks only: store a Thread dataset (set_thread_dataset)",
            _ => features is null
                ? "the device reports no NetworkCommissioning feature map, so it cannot be given a Wi-Fi or Thread network"
                : $"the device offers no Wi-Fi or Thread interface (NetworkCommissioning feature map 0x{map:X})",
        });
    }

    /// <summary>NetworkConfigResponse / ConnectNetworkResponse {0 networkingStatus, 1 debugText}: null when Success, else the status named.</summary>
    public static string? NetworkingError(TlvElement fields)
    {
        var code = fields[0]?.AsUnsigned();
        if (code is null)
        {
            return "the answer has no networking status";
        }

        if (code == 0)
        {
            return null;
        }

        var debug = fields[1]?.AsString() is { Length: > 0 } text ? $": {PeerText.Escape(text, 128)}" : "";
        return $"the device answered networking status {code} ({NetworkingStatusName(code.Value)}){debug}";
    }

    public static string NetworkingStatusName(ulong code) =>
        code <= byte.MaxValue && Enum.IsDefined((NetworkCommissioningStatus)code) ? ((NetworkCommissioningStatus)code).ToString() : "unknown";
}
