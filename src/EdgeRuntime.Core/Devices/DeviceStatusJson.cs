using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Devices;

/// <summary>Source-generated JSON for status documents: camelCase, no reflection at run time.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeviceStatus))]
public sealed partial class DeviceStatusJsonContext : JsonSerializerContext;

/// <summary>Reads and writes <see cref="DeviceStatus"/> documents.</summary>
public static class DeviceStatusJson
{
    // People read these documents with mosquitto_sub: keep '+' and other printable characters unescaped.
    private static readonly DeviceStatusJsonContext Context = new(new JsonSerializerOptions(DeviceStatusJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Serialises a status document to UTF-8 JSON.</summary>
    public static byte[] Serialize(DeviceStatus status) =>
        JsonSerializer.SerializeToUtf8Bytes(status, Context.DeviceStatus);

    /// <summary>Parses a status document; returns null and a one-line reason when it is not one.</summary>
    public static DeviceStatus? TryParse(ReadOnlySpan<byte> utf8Json, out string? error)
    {
        try
        {
            var status = JsonSerializer.Deserialize(utf8Json, Context.DeviceStatus);
            if (status is null || string.IsNullOrEmpty(status.DeviceId))
            {
                error = "the document has no deviceId";
                return null;
            }

            error = null;
            return status with { Models = status.Models ?? [] };
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return null;
        }
    }
}
