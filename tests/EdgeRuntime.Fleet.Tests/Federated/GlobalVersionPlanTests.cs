using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Fleet.Federated.Simulation;

namespace EdgeRuntime.Fleet.Tests.Federated;

/// <summary>The follower's decision: fetch the newest announced version while it is newer than the newest fetched.</summary>
public sealed class GlobalVersionPlanTests
{
    [Fact]
    public void NextFetch_NothingAnnounced_Nothing() => Assert.Null(GlobalVersionPlan.NextFetch(null, null));

    [Fact]
    public void NextFetch_AnnouncedNothingFetched_TheAnnounced() => Assert.Equal(3, GlobalVersionPlan.NextFetch(Manifest(3), null)?.Version);

    [Fact]
    public void NextFetch_AnnouncedNewerThanFetched_TheAnnounced() => Assert.Equal(3, GlobalVersionPlan.NextFetch(Manifest(3), 2)?.Version);

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void NextFetch_FetchedTheAnnouncedOrNewer_Nothing(long fetched) => Assert.Null(GlobalVersionPlan.NextFetch(Manifest(3), fetched));

    private static ModelManifest Manifest(long version) => new()
    {
        Name = "traffic-forecast",
        Version = version,
        Length = 1,
        Sha256 = new string('0', 64),
        ChunkSize = 1,
        Chunks = [new string('0', 64)],
        CreatedAt = DateTimeOffset.UnixEpoch,
        ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(1),
    };
}
