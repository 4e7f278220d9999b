using System.Text.Json.Serialization;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Devices;

namespace EdgeRuntime.Delivery.Manifests;

/// <summary>
/// The <c>targets</c> of a signed manifest: <c>{"all": true}</c>, or <c>{"devices": [...], "tags": [...]}</c> (either
/// list may be absent; a device in the list or carrying one of the tags is a target).
/// </summary>
public sealed record ManifestTargets
{
    /// <summary>The most device ids and tags one manifest may name together (a manifest stays far below <see cref="Signing.SignedEnvelope.MaxBytes"/>).</summary>
    public const int MaxEntries = 10_000;

    /// <summary>True: every device that follows the model. Absent otherwise.</summary>
    [JsonPropertyName("all")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? All { get; init; }

    /// <summary>Device ids.</summary>
    [JsonPropertyName("devices")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Devices { get; init; }

    /// <summary>Device tags (<c>DeviceTags</c> in a device's configuration).</summary>
    [JsonPropertyName("tags")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Every device that follows the model.</summary>
    public static ManifestTargets Everyone { get; } = new() { All = true };

    /// <summary>The devices <paramref name="devices"/> and those tagged with one of <paramref name="tags"/>.</summary>
    public static ManifestTargets Only(IReadOnlyCollection<string> devices, IReadOnlyCollection<string> tags) => new()
    {
        Devices = devices.Count == 0 ? null : [.. devices.Distinct(StringComparer.Ordinal)],
        Tags = tags.Count == 0 ? null : [.. tags.Distinct(StringComparer.Ordinal)],
    };

    /// <summary>The planner's form.</summary>
    public DeliveryTargets ToTargets() => All == true ? DeliveryTargets.Everyone : DeliveryTargets.Only(Devices ?? [], Tags ?? []);

    /// <summary>Why these targets are not usable, or null when they are: exactly one of "all" or a non-empty list, valid ids and tags.</summary>
    public string? Check()
    {
        var devices = Devices ?? [];
        var tags = Tags ?? [];
        if (All == true)
        {
            return devices.Count + tags.Count == 0 ? null : "targets: 'all' cannot be combined with devices or tags";
        }

        if (devices.Count + tags.Count == 0)
        {
            return "targets: name 'all': true, or at least one device or tag";
        }

        if (devices.Count + tags.Count > MaxEntries)
        {
            return $"targets: {devices.Count + tags.Count} devices and tags, more than the {MaxEntries} allowed";
        }

        return devices.FirstOrDefault(d => !DeviceId.IsValid(d)) is { } device
            ? $"targets: device id '{device}' is not allowed: {DeviceId.AllowedDescription}"
            : tags.FirstOrDefault(t => !DeviceId.IsValid(t)) is { } tag
                ? $"targets: tag '{tag}' is not allowed: {DeviceId.AllowedDescription}"
                : null;
    }

    /// <inheritdoc />
    public override string ToString() => ToTargets().ToString();
}
