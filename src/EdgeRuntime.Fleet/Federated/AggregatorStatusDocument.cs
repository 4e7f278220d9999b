using System.Text.Json.Serialization;

namespace EdgeRuntime.Fleet.Federated;

/// <summary>
/// An aggregator's retained status on <c>{root}/fl/{model}/aggregators/{id}/status</c> (docs/protocol.md): its
/// version, what is buffered, counts since start and — on the lead, whose ledger is the fleet's accounting — per device
/// how many updates were applied, expired, rejected or are buffered.
/// </summary>
internal sealed record AggregatorStatusDocument
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "fl-aggregator-status";

    [JsonPropertyName("aggregator")]
    public required string Aggregator { get; init; }

    [JsonPropertyName("role")]
    public required string Role { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("version")]
    public required long Version { get; init; }

    [JsonPropertyName("buffered")]
    public required int Buffered { get; init; }

    [JsonPropertyName("received")]
    public required long Received { get; init; }

    [JsonPropertyName("undecodable")]
    public required long Undecodable { get; init; }

    [JsonPropertyName("devices")]
    public required IReadOnlyDictionary<string, DeviceAccountDocument> Devices { get; init; }
}

/// <summary>One device's line in the status.</summary>
internal sealed record DeviceAccountDocument(
    [property: JsonPropertyName("applied")] long Applied,
    [property: JsonPropertyName("expired")] long Expired,
    [property: JsonPropertyName("rejected")] long Rejected,
    [property: JsonPropertyName("buffered")] long Buffered,
    [property: JsonPropertyName("forwarded")] long Forwarded,
    [property: JsonPropertyName("duplicate")] long Duplicate);

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(AggregatorStatusDocument))]
internal sealed partial class AggregatorStatusJsonContext : JsonSerializerContext;
