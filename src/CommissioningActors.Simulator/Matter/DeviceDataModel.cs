using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Simulator.Matter.Clusters;

namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// The device's endpoints: 0 the root node (BasicInformation, GeneralCommissioning, OperationalCredentials,
/// NetworkCommissioning, AccessControl, Descriptor), 1 an On/Off light (OnOff, Identify, Descriptor).
/// </summary>
public sealed class DeviceDataModel
{
    public const uint RootNodeDeviceType = 0x0016;
    public const uint OnOffLightDeviceType = 0x0100;

    private readonly SortedDictionary<ushort, List<ClusterServer>> _endpoints = [];

    public DeviceDataModel(DeviceState state)
    {
        var root = new List<ClusterServer>();
        var light = new List<ClusterServer>();
        root.Add(new DescriptorServer(RootNodeDeviceType, 3, () => root.Select(c => c.Id), [1]));
        root.Add(new BasicInformationServer(state));
        root.Add(new GeneralCommissioningServer(state));
        root.Add(new OperationalCredentialsServer(state));
        root.Add(new NetworkCommissioningServer(state));
        root.Add(new AccessControlServer(state));
        light.Add(new DescriptorServer(OnOffLightDeviceType, 3, () => light.Select(c => c.Id), []));
        light.Add(new IdentifyServer(state));
        light.Add(new OnOffServer(state));
        _endpoints[0] = root;
        _endpoints[1] = light;
    }

    public IEnumerable<ushort> Endpoints => _endpoints.Keys;

    public IReadOnlyList<ClusterServer> Clusters(ushort endpoint) => _endpoints.TryGetValue(endpoint, out var list) ? list : [];

    public ClusterServer? Cluster(ushort endpoint, uint cluster) => Clusters(endpoint).FirstOrDefault(c => c.Id == cluster);

    /// <summary>The status a concrete path that does not resolve gets: endpoint first, then cluster, then attribute.</summary>
    public ImStatusCode? Missing(ushort endpoint, uint cluster, uint? attribute)
    {
        if (!_endpoints.ContainsKey(endpoint))
        {
            return ImStatusCode.UnsupportedEndpoint;
        }

        var server = Cluster(endpoint, cluster);
        if (server is null)
        {
            return ImStatusCode.UnsupportedCluster;
        }

        return attribute is { } a && !server.HasAttribute(a) ? ImStatusCode.UnsupportedAttribute : null;
    }

    /// <summary>Every (endpoint, cluster, attribute) a path selects; wildcards skip what does not exist.</summary>
    public IEnumerable<(ushort Endpoint, ClusterServer Cluster, uint Attribute)> Expand(AttributePath path)
    {
        foreach (var endpoint in path.Endpoint is { } e ? [e] : _endpoints.Keys.ToArray())
        {
            foreach (var cluster in Clusters(endpoint).Where(c => path.Cluster is null || c.Id == path.Cluster))
            {
                foreach (var attribute in path.Attribute is { } a ? (cluster.HasAttribute(a) ? [a] : []) : cluster.AllAttributeIds)
                {
                    yield return (endpoint, cluster, attribute);
                }
            }
        }
    }
}
