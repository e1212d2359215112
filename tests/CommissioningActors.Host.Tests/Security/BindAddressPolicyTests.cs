using System.Net;
using System.Net.Sockets;
using CommissioningActors.Host.Security;

namespace CommissioningActors.Host.Tests.Security;

public sealed class BindAddressPolicyTests
{
    public static TheoryData<EndPoint, bool> Endpoints => new()
    {
        { new IPEndPoint(IPAddress.Loopback, 5580), true },
        { new IPEndPoint(IPAddress.Parse("127.0.0.2"), 80), true },
        { new IPEndPoint(IPAddress.IPv6Loopback, 5580), true },
        { new UnixDomainSocketEndPoint("/tmp/commissioning.sock"), true },
        { new IPEndPoint(IPAddress.Any, 5580), false },
        { new IPEndPoint(IPAddress.IPv6Any, 5580), false },
        { new IPEndPoint(IPAddress.Parse("192.168.1.20"), 5580), false },
        { new DnsEndPoint("hub.example", 5580), false },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public void Only_loopback_and_unix_socket_endpoints_go_without_a_token(EndPoint endpoint, bool local)
    {
        Assert.Equal(local, BindAddressPolicy.IsLocal(endpoint));
        BindAddressPolicy.Enforce(endpoint, token: "s3cret");
        if (local)
        {
            BindAddressPolicy.Enforce(endpoint, token: null);
        }
        else
        {
            var refused = Assert.Throws<BindRefusedException>(() => BindAddressPolicy.Enforce(endpoint, token: " "));
            Assert.Contains("Server:Token", refused.Message);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:5580", true)]
    [InlineData("http://localhost:5580", true)]
    [InlineData("http://api.localhost:5580", true)]
    [InlineData("http://[::1]:5580", true)]
    [InlineData("https://LOCALHOST", true)]
    [InlineData("http://0.0.0.0:5580", false)]
    [InlineData("http://*:5580", false)]
    [InlineData("http://+:5580", false)]
    [InlineData("http://[::]:5580", false)]
    [InlineData("http://192.168.1.20:5580", false)]
    [InlineData("http://hub.example:5580", false)]
    public void Listen_urls_are_read_the_way_Kestrel_binds_them(string url, bool local)
    {
        BindAddressPolicy.Enforce(url, token: "s3cret");
        if (local)
        {
            BindAddressPolicy.Enforce(url, token: null);
        }
        else
        {
            Assert.Throws<BindRefusedException>(() => BindAddressPolicy.Enforce(url, token: null));
        }
    }
}
