using CommissioningActors.Host.Security;

namespace CommissioningActors.Host.Tests.Security;

public sealed class BindAddressPolicyTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5580")]
    [InlineData("http://127.0.0.2:80")]
    [InlineData("http://localhost:5580")]
    [InlineData("http://[::1]:5580")]
    [InlineData("https://LOCALHOST")]
    public void Loopback_urls_need_no_token(string url)
    {
        Assert.True(BindAddressPolicy.IsLoopbackUrl(url));
        BindAddressPolicy.Enforce([url], token: null);
    }

    [Theory]
    [InlineData("http://0.0.0.0:5580")]
    [InlineData("http://*:5580")]
    [InlineData("http://+:5580")]
    [InlineData("http://[::]:5580")]
    [InlineData("http://192.168.1.20:5580")]
    [InlineData("http://hub.example:5580")]
    public void Any_other_address_requires_a_token(string url)
    {
        Assert.False(BindAddressPolicy.IsLoopbackUrl(url));
        var refused = Assert.Throws<InvalidOperationException>(() => BindAddressPolicy.Enforce([url], token: null));
        Assert.Contains("Server:Token", refused.Message);
        BindAddressPolicy.Enforce([url], token: "s3cret");
    }

    [Fact]
    public void One_non_loopback_url_among_loopback_ones_still_requires_a_token()
    {
        Assert.Throws<InvalidOperationException>(() =>
            BindAddressPolicy.Enforce(["http://127.0.0.1:5580", "http://0.0.0.0:5581"], token: " "));
    }
}
