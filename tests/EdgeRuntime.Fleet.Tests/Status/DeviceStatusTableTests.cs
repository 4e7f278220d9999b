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

    [Fact]
    public void Row_Conflict_ShowsTheConflictWithTheOtherSidesStartTime()
    {
        var listing = DeviceListing.Parse("crossing-7", """
            {"deviceId":"crossing-7","state":"conflict","uptimeSeconds":65,"runtimeVersion":"0.1.0","timestamp":"2026-12-01T10:00:00Z",
             "conflict":{"clientId":"edge-runtime-crossing-7","takeovers":5,"otherStartedAt":"2026-12-01T09:58:30Z"}}
            """u8);

        var row = DeviceStatusTable.Row(listing, new DateTimeOffset(2026, 12, 1, 10, 0, 5, TimeSpan.Zero));

        Assert.Equal("conflict (2 processes use this id, 5 takeovers; the other started 2026-12-01 09:58:30Z)", row[1]);
        Assert.Equal("1m 05s", row[3]);
    }

    [Fact]
    public void Row_ConflictWithoutDetails_StillSaysConflict()
    {
        var row = DeviceStatusTable.Row(DeviceListing.Parse("d", """{"state":"conflict"}"""u8), DateTimeOffset.UnixEpoch);

        Assert.Equal("conflict (2 processes use this id)", row[1]);
    }
}
