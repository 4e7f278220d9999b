using EdgeRuntime.Delivery.Manifests;

namespace EdgeRuntime.Fleet.Federated.Simulation;

/// <summary>
/// The decision half of <see cref="GlobalVersionFollower"/>'s reconcile: desired is the newest version announced (a
/// signed manifest seen), actual the newest fetched and checked. Pure; the follower runs the fetch it names.
/// </summary>
internal static class GlobalVersionPlan
{
    /// <summary>The manifest to fetch next — the newest announced, when it is newer than the newest fetched — or null when there is nothing to do.</summary>
    public static ModelManifest? NextFetch(ModelManifest? newestAnnounced, long? latestFetched) =>
        newestAnnounced is { } wanted && (latestFetched is not { } have || wanted.Version > have) ? wanted : null;
}
