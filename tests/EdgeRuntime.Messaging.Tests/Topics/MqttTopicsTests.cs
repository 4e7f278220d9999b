using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Messaging.Tests.Topics;

public sealed class MqttTopicsTests
{
    [Theory]
    [InlineData("edge/devices/cam-1/replies/operator-7", true)]
    [InlineData("edge/devices/cam-1/replies/", false)]
    [InlineData("edge/devices/cam-1/replies", false)]
    [InlineData("edge/devices/cam-1/replies/a/b", false)]
    [InlineData("edge/devices/cam-1/replies/+", false)]
    [InlineData("edge/devices/cam-1/replies/#", false)]
    [InlineData("edge/devices/cam-1/status", false)]
    [InlineData("edge/devices/cam-2/replies/operator-7", false)]
    [InlineData("other/devices/cam-1/replies/operator-7", false)]
    public void IsDeviceReply_OnlyOneLevelUnderTheDevicesOwnReplies(string topic, bool expected) =>
        Assert.Equal(expected, new MqttTopics().IsDeviceReply(topic, "cam-1"));
}
