using EdgeRuntime.Messaging.Configuration;

namespace EdgeRuntime.Messaging.Tests.Configuration;

public sealed class BrokerEndpointTests
{
    [Theory]
    [InlineData("broker.local:1884", "broker.local", 1884, false)]
    [InlineData("broker.local", "broker.local", 1883, false)]
    [InlineData("mqtt://10.0.0.5:1883", "10.0.0.5", 1883, false)]
    [InlineData("mqtts://fleet.example.com", "fleet.example.com", 8883, true)]
    [InlineData("MQTTS://fleet.example.com:443/", "fleet.example.com", 443, true)]
    [InlineData("[::1]:1883", "::1", 1883, false)]
    [InlineData("  127.0.0.1:1883  ", "127.0.0.1", 1883, false)]
    public void TryParse_AcceptedForms_HostPortAndTls(string text, string host, int port, bool tls)
    {
        Assert.True(BrokerEndpoint.TryParse(text, out var endpoint, out var error), error);
        Assert.Equal(new BrokerEndpoint(host, port, tls), endpoint);
    }

    [Theory]
    [InlineData("ftp://broker:21", "unknown scheme 'ftp'")]
    [InlineData("http://broker", "unknown scheme 'http'")]
    [InlineData("broker:-1", "port -1, out of range")]
    [InlineData("broker:0", "port 0, out of range")]
    [InlineData("broker:70000", "port 70000, out of range")]
    [InlineData("broker:abc", "'abc' that is not a number")]
    [InlineData("mqtt://broker:1883/path", "has a path")]
    [InlineData("::1:1883", "IPv6 addresses in brackets")]
    [InlineData("mqtt://:1883", "has no host")]
    [InlineData("", "is empty")]
    public void TryParse_BadInput_FalseWithReason(string text, string expected)
    {
        Assert.False(BrokerEndpoint.TryParse(text, out var endpoint, out var error));
        Assert.Null(endpoint);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("allowed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_Ipv6_Bracketed() =>
        Assert.Equal("mqtts://[::1]:8883", new BrokerEndpoint("::1", 8883, true).ToString());
}
