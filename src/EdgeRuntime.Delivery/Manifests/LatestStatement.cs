using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Delivery.Manifests;

/// <summary>
/// The fleet's short-lived signed statement of a model's latest manifest, retained on <c>{root}/models/{model}/latest</c>
/// and re-signed on a schedule (<c>edgectl model latest</c>). A device installs the manifest on the model's latest topic
/// only while a fresh statement names it, so an old manifest republished there — still within its own long expiry —
/// cannot freeze devices at an old version unnoticed: they report <c>stale</c> instead.
/// </summary>
public sealed record LatestStatement
{
    /// <summary>The document type; a manifest or a command can never pass for a statement.</summary>
    public const string DocumentType = "model-latest";

    /// <summary>
    /// How long a statement stands by default: a day, the expiry TUF gives its timestamp role by default. The fleet
    /// re-signs well within it (every few hours); a device that sees none fresher for a day stops installing from the
    /// latest topic and says so.
    /// </summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(1);

    /// <summary>Always <see cref="DocumentType"/>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = DocumentType;

    /// <summary>The model.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Its latest version.</summary>
    [JsonPropertyName("version")]
    public required long Version { get; init; }

    /// <summary>The sha256 (lower-case hex) of that version's signed manifest document (the envelope's decoded payload).</summary>
    [JsonPropertyName("manifestSha256")]
    public required string ManifestSha256 { get; init; }

    /// <summary>When the fleet signed it.</summary>
    [JsonPropertyName("createdAt")]
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>After this it vouches for nothing.</summary>
    [JsonPropertyName("expiresAt")]
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>A statement naming <paramref name="manifest"/>, whose signed document bytes are <paramref name="manifestDocument"/>.</summary>
    public static LatestStatement For(ModelManifest manifest, ReadOnlySpan<byte> manifestDocument, DateTimeOffset createdAt, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new LatestStatement
        {
            Name = manifest.Name,
            Version = manifest.Version,
            ManifestSha256 = Convert.ToHexStringLower(SHA256.HashData(manifestDocument)),
            CreatedAt = createdAt,
            ExpiresAt = createdAt + lifetime,
        };
    }

    /// <summary>A statement naming <paramref name="manifest"/>, signed with <paramref name="key"/>: the envelope's bytes, as retained on the latest topic.</summary>
    public static byte[] Sign(ModelManifest manifest, Signing.SigningKey key, DateTimeOffset createdAt, TimeSpan lifetime) =>
        Signing.SignedEnvelope.Sign(For(manifest, ModelManifestJson.ToBytes(manifest), createdAt, lifetime).ToBytes(), key).ToBytes();

    /// <summary>The statement as UTF-8 JSON, the bytes that get signed.</summary>
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, LatestStatementJsonContext.Default.LatestStatement);

    /// <summary>The planner's form.</summary>
    public Core.Delivery.LatestVersion ToLatest() => new(Name, Version, ManifestSha256, CreatedAt, ExpiresAt);

    /// <summary>Parses and checks a statement; null with the reason in <paramref name="problem"/> when it is not a usable one.</summary>
    public static LatestStatement? Parse(ReadOnlySpan<byte> json, out string? problem)
    {
        LatestStatement? statement;
        try
        {
            statement = JsonSerializer.Deserialize(json, LatestStatementJsonContext.Default.LatestStatement);
        }
        catch (JsonException ex)
        {
            problem = $"not a latest statement: {ex.Message}";
            return null;
        }

        problem = statement switch
        {
            null => "not a latest statement: empty document",
            { Type: not DocumentType } => $"document type is '{statement.Type}', not '{DocumentType}'",
            _ when !ModelName.IsValid(statement.Name) => $"model name '{statement.Name}' is not allowed: {ModelName.AllowedDescription}",
            { Version: < 1 } => $"version {statement.Version} is not allowed: versions start at 1",
            _ when statement.ManifestSha256 is not { Length: 64 } sha || !sha.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f') => "manifestSha256 is not 64 lower-case hex digits",
            _ when statement.ExpiresAt <= statement.CreatedAt => "expiresAt is not after createdAt",
            _ => null,
        };
        return problem is null ? statement : null;
    }
}

[JsonSerializable(typeof(LatestStatement))]
internal sealed partial class LatestStatementJsonContext : JsonSerializerContext;
