using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRuntime.Delivery.Trust;

/// <summary><c>commands.json</c>: the command history with each command's first result.</summary>
internal sealed record CommandLedgerFile(
    [property: JsonPropertyName("forgottenThrough")] DateTimeOffset ForgottenThrough,
    [property: JsonPropertyName("startsAt")] DateTimeOffset StartsAt,
    [property: JsonPropertyName("commands")] List<CommandLedgerEntry> Commands);

/// <summary>One admitted command: its nonce, expiry, admission time and, once answered, the reply sent.</summary>
internal sealed record CommandLedgerEntry(
    [property: JsonPropertyName("nonce")] string Nonce,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("admittedAt")] DateTimeOffset AdmittedAt,
    [property: JsonPropertyName("reply")] JsonElement? Reply);

/// <summary><c>signed-time.json</c>: the newest signed creation time seen.</summary>
internal sealed record SignedTimeFile(
    [property: JsonPropertyName("newestCreatedAt")] DateTimeOffset NewestCreatedAt,
    [property: JsonPropertyName("validitySeconds")] double ValiditySeconds,
    [property: JsonPropertyName("observedAt")] DateTimeOffset ObservedAt);

[JsonSerializable(typeof(CommandLedgerFile))]
[JsonSerializable(typeof(SignedTimeFile))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
internal sealed partial class TrustJsonContext : JsonSerializerContext;
