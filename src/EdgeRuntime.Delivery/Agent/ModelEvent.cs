using System.Text.Json.Serialization;
using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// One step in a model's life on a device, published (not retained) on <c>{root}/devices/{id}/events</c> so that
/// an observer sees every step even when status updates follow each other faster than the retained status shows.
/// </summary>
public sealed record ModelEvent(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("version")] long Version,
    [property: JsonPropertyName("phase")] ModelPhase Phase,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("servingVersion")] long? ServingVersion,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("code")] Core.Delivery.RefusalCode? Code = null);

[JsonSerializable(typeof(ModelEvent))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class ModelEventJsonContext : JsonSerializerContext;
