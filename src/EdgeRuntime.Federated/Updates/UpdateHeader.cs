using System.Text.Json.Serialization;

namespace EdgeRuntime.Federated.Updates;

/// <summary>
/// What an update says about itself (the JSON header of the wire format, docs/protocol.md): which model and base
/// version it is a change of, who made it from how many examples, and how the delta is carried. Signed with the body.
/// </summary>
public sealed record UpdateHeader
{
    /// <summary>The document type.</summary>
    public const string DocumentType = "fl-update";

    /// <summary>Always <see cref="DocumentType"/>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = DocumentType;

    /// <summary>Unique id (the device's outbox and every receipt use it; aggregators drop repeats).</summary>
    [JsonPropertyName("updateId")]
    public required string UpdateId { get; init; }

    /// <summary>The model name.</summary>
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    /// <summary>The global version the device trained from; the delta is trained − that version.</summary>
    [JsonPropertyName("baseVersion")]
    public required long BaseVersion { get; init; }

    /// <summary>The device that made it (its enrolled key must sign it).</summary>
    [JsonPropertyName("deviceId")]
    public required string DeviceId { get; init; }

    /// <summary>Training examples behind it (FedAvg weights updates by it).</summary>
    [JsonPropertyName("samples")]
    public required long Samples { get; init; }

    /// <summary>When the device made it (its clock).</summary>
    [JsonPropertyName("createdAt")]
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The L2 bound the device clipped the delta to.</summary>
    [JsonPropertyName("clipNorm")]
    public required double ClipNorm { get; init; }

    /// <summary>σ / clipNorm of the Gaussian noise added (0: none).</summary>
    [JsonPropertyName("noiseMultiplier")]
    public double NoiseMultiplier { get; init; }

    /// <summary>How the delta is carried.</summary>
    [JsonPropertyName("encoding")]
    public required UpdateEncoding Encoding { get; init; }

    /// <summary>The tensors in the body's order, with their lengths.</summary>
    [JsonPropertyName("tensors")]
    public required IReadOnlyList<TensorEntry> Tensors { get; init; }

    /// <summary>The layout the tensors describe.</summary>
    public ParameterLayout Layout() => new([.. Tensors.Select(t => (t.Name, t.Length))]);
}

/// <summary>One tensor of an update.</summary>
/// <param name="Name">The initializer's name in the model.</param>
/// <param name="Length">Its values.</param>
public sealed record TensorEntry([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("length")] int Length);
