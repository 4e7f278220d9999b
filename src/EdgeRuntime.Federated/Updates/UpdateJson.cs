using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRuntime.Federated.Updates;

/// <summary>JSON of the update header (source-generated).</summary>
internal static class UpdateJson
{
    public static byte[] ToBytes(UpdateHeader header) => JsonSerializer.SerializeToUtf8Bytes(header, UpdateJsonContext.Default.UpdateHeader);

    public static UpdateHeader? Parse(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, UpdateJsonContext.Default.UpdateHeader);
}

[JsonSerializable(typeof(UpdateHeader))]
internal sealed partial class UpdateJsonContext : JsonSerializerContext;
