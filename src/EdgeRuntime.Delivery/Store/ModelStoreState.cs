using System.Text.Json.Serialization;

namespace EdgeRuntime.Delivery.Store;

/// <summary>What the store remembers about one model besides its files.</summary>
/// <param name="ServingVersion">The version put into service last; the daemon serves it again after a restart.</param>
/// <param name="HighestVersion">The highest version ever put into service. Manifests must be newer (anti-rollback); only a signed command goes back.</param>
public sealed record ModelStoreState(
    [property: JsonPropertyName("servingVersion")] long? ServingVersion,
    [property: JsonPropertyName("highestVersion")] long HighestVersion);

[JsonSerializable(typeof(ModelStoreState))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
