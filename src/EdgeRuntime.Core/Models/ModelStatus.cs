using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Models;

/// <summary>Where a model stands on one device.</summary>
/// <param name="Name">The model's name as the fleet publishes it.</param>
/// <param name="Version">The version this state is about (the serving one, or the one in progress).</param>
/// <param name="Phase">The step the model is in.</param>
/// <param name="Detail">Progress ("chunks 12/40") or the reason for a failure; absent when there is nothing to add.</param>
/// <param name="ServingVersion">The version that answers requests now, if any; stays set while a newer one is prepared or fails.</param>
/// <param name="Code">With <see cref="ModelPhase.Failed"/> and <see cref="ModelPhase.Stalled"/>: why, machine-readable, beside the one-line <paramref name="Detail"/>.</param>
public sealed record ModelStatus(
    string Name,
    long Version,
    ModelPhase Phase,
    string? Detail = null,
    long? ServingVersion = null,
    Delivery.RefusalCode? Code = null);

/// <summary>The steps a model goes through on a device.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelPhase>))]
public enum ModelPhase
{
    [JsonStringEnumMemberName("downloading")]
    Downloading,

    [JsonStringEnumMemberName("verifying")]
    Verifying,

    [JsonStringEnumMemberName("optimising")]
    Optimising,

    [JsonStringEnumMemberName("planning")]
    Planning,

    [JsonStringEnumMemberName("serving")]
    Serving,

    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>A download waiting for chunks that do not come: the detail names them and since when; it resumes when they do.</summary>
    [JsonStringEnumMemberName("stalled")]
    Stalled,
}
