using EdgeRuntime.Core.Devices;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Core.Tests.Devices;

public sealed class DeviceIdentityTests
{
    [Fact]
    public void Create_ValidId_StampsStartFromTimeProvider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var identity = DeviceIdentity.Create("dev-1", time);
        Assert.Equal(time.GetUtcNow(), identity.StartedAt);
        time.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(90, time.GetElapsedTime(identity.StartTimestamp).TotalSeconds);
    }

    [Fact]
    public void Create_InvalidId_Throws() =>
        Assert.Throws<ArgumentException>(() => DeviceIdentity.Create("a/b", TimeProvider.System));
}
