using EdgeRuntime.Fleet.Status;

namespace EdgeRuntime.Fleet.Tests.Status;

public sealed class DeviceStatusTableTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m 00s")]
    [InlineData(3599, "59m 59s")]
    [InlineData(3600, "1h 00m")]
    [InlineData(86_399, "23h 59m")]
    [InlineData(90_000, "1d 01h")]
    [InlineData(-5, "0s")]
    public void FormatDuration_ReadableUnits(int seconds, string expected) =>
        Assert.Equal(expected, DeviceStatusTable.FormatDuration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("0.1.0+fd0c24d5c2eaa8c19decfeca8f2ff9a564bc0a23", "0.1.0+fd0c24d")]
    [InlineData("0.1.0", "0.1.0")]
    [InlineData("1.2.3+abc", "1.2.3+abc")]
    public void ShortVersion_CommitShortened(string version, string expected) =>
        Assert.Equal(expected, DeviceStatusTable.ShortVersion(version));
}
