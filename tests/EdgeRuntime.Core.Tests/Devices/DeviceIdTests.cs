using EdgeRuntime.Core.Devices;

namespace EdgeRuntime.Core.Tests.Devices;

public sealed class DeviceIdTests
{
    [Theory]
    [InlineData("3d1219c7c4c5404aaa1f6d2a48adfda4")]
    [InlineData("intersection-07.lane_a")]
    [InlineData("A")]
    public void IsValid_TopicSafeNames_True(string id) => Assert.True(DeviceId.IsValid(id));

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a+b")]
    [InlineData("a#")]
    [InlineData("$sys")]
    [InlineData("has space")]
    [InlineData("ünïcode")]
    public void IsValid_NamesThatBreakTopics_False(string id) => Assert.False(DeviceId.IsValid(id));

    [Fact]
    public void IsValid_LongerThanMax_False() => Assert.False(DeviceId.IsValid(new string('a', DeviceId.MaxLength + 1)));

    [Fact]
    public void FromMachine_ReadableMachineIdFile_UsesIt()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "0123456789abcdef\n");
        try
        {
            Assert.Equal("0123456789abcdef", DeviceId.FromMachine([file]));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void FromMachine_NoMachineIdFile_FallsBackToSanitisedHostName()
    {
        var id = DeviceId.FromMachine(["/nonexistent/machine-id"]);
        Assert.True(DeviceId.IsValid(id));
        Assert.Equal(DeviceId.Sanitize(Environment.MachineName), id);
    }

    [Theory]
    [InlineData("my host/1", "my-host-1")]
    [InlineData("///", "edge-device")]
    public void Sanitize_ReplacesForbiddenCharacters(string input, string expected) => Assert.Equal(expected, DeviceId.Sanitize(input));
}
