using EdgeRuntime.Messaging.Connection;

namespace EdgeRuntime.Messaging.Tests.Connection;

public sealed class TopicFilterTests
{
    [Theory]
    [InlineData("edge/devices/d1/status", "edge/devices/+/status", true)]
    [InlineData("edge/devices/d1/cmd/deploy", "edge/devices/d1/cmd/#", true)]
    [InlineData("edge/devices/d1/status", "edge/devices/d2/status", false)]
    [InlineData("edge/fl/traffic/updates", "$share/aggregators/edge/fl/+/updates", true)]
    [InlineData("edge/fl/traffic/other", "$share/aggregators/edge/fl/+/updates", false)]
    [InlineData("edge/x", "$share/broken", false)]
    public void Matches_StandardAndSharedFilters(string topic, string filter, bool expected) =>
        Assert.Equal(expected, TopicFilter.Matches(topic, filter));
}
