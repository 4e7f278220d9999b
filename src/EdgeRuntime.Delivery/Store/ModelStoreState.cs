using System.Text.Json.Serialization;

namespace EdgeRuntime.Delivery.Store;

/// <summary>What the store remembers about one model besides its files.</summary>
/// <param name="ServingVersion">The version put into service last (0: the built-in one); the daemon serves it again after a restart.</param>
/// <param name="HighestVersion">The highest version ever put into service. Manifests must be newer (anti-rollback); only a signed command goes back.</param>
/// <param name="HeldThrough">Manifests up to this version are not followed: a signed deploy or rollback moved the device away from them.</param>
public sealed record ModelStoreState(
    [property: JsonPropertyName("servingVersion")] long? ServingVersion,
    [property: JsonPropertyName("highestVersion")] long HighestVersion,
    [property: JsonPropertyName("heldThrough")] long HeldThrough = 0);

[JsonSerializable(typeof(ModelStoreState))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
