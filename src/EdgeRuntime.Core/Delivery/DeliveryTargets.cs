namespace EdgeRuntime.Core.Delivery;

/// <summary>
/// The devices a signed manifest is for, as its signer wrote them: every device that follows the model, or the devices
/// it names together with the devices that carry one of the tags it names. A device outside them refuses the manifest
/// (<see cref="RefusalCode.NotTargeted"/>) whatever topic it arrives on — so copying a manifest signed for a canary to
/// the model's latest topic does not reach the fleet; only a signer widens who installs a version.
/// </summary>
/// <param name="All">Every device that follows the model.</param>
/// <param name="Devices">Device ids, when not <paramref name="All"/>.</param>
/// <param name="Tags">Device tags (<c>DeviceTags</c> in a device's configuration), when not <paramref name="All"/>.</param>
public sealed record DeliveryTargets(bool All, IReadOnlyList<string> Devices, IReadOnlyList<string> Tags)
{
    /// <summary>Every device that follows the model.</summary>
    public static DeliveryTargets Everyone { get; } = new(true, [], []);

    /// <summary>Only the devices named and those carrying one of the tags.</summary>
    public static DeliveryTargets Only(IReadOnlyList<string> devices, IReadOnlyList<string> tags) => new(false, devices, tags);

    /// <summary>Whether <paramref name="device"/> is one of the targets.</summary>
    public bool Includes(TargetedDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return All || Devices.Contains(device.Id, StringComparer.Ordinal) || Tags.Any(device.Tags.Contains);
    }

    /// <summary>The targets in a few words: <c>all devices</c>, <c>device crossing-7, tag canary</c>.</summary>
    public override string ToString() => All
        ? "all devices"
        : string.Join(", ", Devices.Select(d => $"device {d}").Concat(Tags.Select(t => $"tag {t}")));
}

/// <summary>This device as manifest targets name it.</summary>
/// <param name="Id">Its device id.</param>
/// <param name="Tags">Its tags (<c>DeviceTags</c>), compared ordinally.</param>
public sealed record TargetedDevice(string Id, IReadOnlySet<string> Tags)
{
    /// <summary>A device with no id and no tags: only manifests for every device include it.</summary>
    public static TargetedDevice Unnamed { get; } = new(string.Empty, new HashSet<string>(StringComparer.Ordinal));

    /// <summary>The device <paramref name="id"/> with <paramref name="tags"/>.</summary>
    public static TargetedDevice Of(string id, IEnumerable<string> tags) => new(id, new HashSet<string>(tags, StringComparer.Ordinal));
}
