using System.Text;
using System.Text.Json;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Core.Tests.Devices;

public sealed class DeviceStatusJsonTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Serialize_OnlineStatus_UsesCamelCaseAndLowercaseStates()
    {
        var status = new DeviceStatus("dev-1", DeviceState.Online, "0.1.0", Start, 42, Start.AddSeconds(42),
            new HostFacts("h", "linux", "arm64", 6, 8_000_000_000, "10.0.0"),
            [new ModelStatus("traffic", 3, ModelPhase.Serving, ServingVersion: 3)]);

        using var document = JsonDocument.Parse(DeviceStatusJson.Serialize(status));
        var root = document.RootElement;
        Assert.Equal("dev-1", root.GetProperty("deviceId").GetString());
        Assert.Equal("online", root.GetProperty("state").GetString());
        Assert.Equal(42, root.GetProperty("uptimeSeconds").GetInt64());
        Assert.Equal("arm64", root.GetProperty("host").GetProperty("architecture").GetString());
        Assert.Equal("serving", root.GetProperty("models")[0].GetProperty("phase").GetString());
        Assert.False(root.TryGetProperty("reason", out _));
    }

    [Fact]
    public void TryParse_RoundTrip_Equal()
    {
        var status = new DeviceStatus("dev-1", DeviceState.Offline, "0.1.0", Start, 0, Start, null, [], "connection-lost");
        var parsed = DeviceStatusJson.TryParse(DeviceStatusJson.Serialize(status), out var error);
        Assert.Null(error);
        Assert.NotNull(parsed);
        Assert.Equal(status.DeviceId, parsed.DeviceId);
        Assert.Equal(DeviceState.Offline, parsed.State);
        Assert.Equal("connection-lost", parsed.Reason);
        Assert.Empty(parsed.Models);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"state\":\"online\"}")]
    [InlineData("{\"deviceId\":\"a\",\"state\":\"sideways\"}")]
    public void TryParse_NotAStatus_NullWithReason(string text)
    {
        var parsed = DeviceStatusJson.TryParse(Encoding.UTF8.GetBytes(text), out var error);
        Assert.Null(parsed);
        Assert.False(string.IsNullOrEmpty(error));
    }
}
