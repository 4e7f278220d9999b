using System.Text.Json.Serialization;

namespace EdgeRuntime.Delivery.Commands;

/// <summary>
/// A signed order to one device about one model. Deploy moves it to a version (forward, or to one it still
/// has); rollback moves it back to an older version it still has. Signed like manifests, so only holders of a
/// fleet key can order a device back — the one way past anti-rollback.
/// </summary>
public sealed record DeviceCommand
{
    /// <summary>The document type; a signed manifest can never pass for a command.</summary>
    public const string DocumentType = "device-command";

    /// <summary>The deploy command's name (also its topic level).</summary>
    public const string Deploy = "deploy";

    /// <summary>The rollback command's name (also its topic level).</summary>
    public const string Rollback = "rollback";

    /// <summary>The repair command's name (also its topic level): verify the model's store now and repair what is damaged.</summary>
    public const string Repair = "repair";

    /// <summary>Always <see cref="DocumentType"/>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = DocumentType;

    /// <summary><see cref="Deploy"/>, <see cref="Rollback"/> or <see cref="Repair"/>; must match the topic it arrives on.</summary>
    [JsonPropertyName("command")]
    public required string Command { get; init; }

    /// <summary>The device it is for; a device refuses commands for another (a replayed copy on another topic).</summary>
    [JsonPropertyName("deviceId")]
    public required string DeviceId { get; init; }

    /// <summary>The model it is about.</summary>
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    /// <summary>The target version; for rollback, null means the newest stored version older than the serving one.</summary>
    [JsonPropertyName("version")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Version { get; init; }

    /// <summary>When it was signed.</summary>
    [JsonPropertyName("issuedAt")]
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>After this it is refused.</summary>
    [JsonPropertyName("expiresAt")]
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Unique per command; a device carries each out once, across restarts (the broker may deliver twice; a captured command may be republished).</summary>
    [JsonPropertyName("nonce")]
    public required string Nonce { get; init; }
}

/// <summary>A device's answer to a command, sent to the command's MQTT 5 response topic with its correlation data.</summary>
/// <param name="Ok">Whether the device carried it out.</param>
/// <param name="Message">What happened, in one line.</param>
/// <param name="Model">The model.</param>
/// <param name="ServingVersion">The version serving after the command, if any.</param>
/// <param name="Nonce">The command's nonce.</param>
/// <param name="Code">When not carried out: why, machine-readable (docs/protocol.md lists the codes).</param>
/// <param name="First">
/// With code <c>replayed</c>: the reply the device sent when it carried the command out (the idempotent answer a sender
/// that missed it wants); absent when the device stopped before it recorded one.
/// </param>
public sealed record CommandReply(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("servingVersion")] long? ServingVersion,
    [property: JsonPropertyName("nonce")] string? Nonce,
    [property: JsonPropertyName("code")] Core.Delivery.RefusalCode? Code = null,
    [property: JsonPropertyName("first")] CommandReply? First = null);

[JsonSerializable(typeof(DeviceCommand))]
[JsonSerializable(typeof(CommandReply))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class CommandJsonContext : JsonSerializerContext;
