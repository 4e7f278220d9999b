using System.Text.Json;

namespace EdgeRuntime.Fleet.Status;

/// <summary>One device's retained status as edgectl received it.</summary>
/// <param name="DeviceId">From the topic (trusted over the payload).</param>
/// <param name="Document">The payload as a JSON object, or null when it is not one.</param>
/// <param name="Problem">Why the payload could not be read, when it could not.</param>
/// <param name="RawJson">The payload as published.</param>
internal sealed record DeviceListing(string DeviceId, JsonElement? Document, string? Problem, string RawJson)
{
    /// <summary>Reads a payload: any well-formed JSON object is a listing; fields are looked up when shown.</summary>
    public static DeviceListing Parse(string deviceId, ReadOnlySpan<byte> payload)
    {
        var raw = System.Text.Encoding.UTF8.GetString(payload);
        try
        {
            using var document = JsonDocument.Parse(raw);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? new DeviceListing(deviceId, document.RootElement.Clone(), null, raw)
                : new DeviceListing(deviceId, null, $"a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object", raw);
        }
        catch (JsonException ex)
        {
            return new DeviceListing(deviceId, null, ex.Message, raw);
        }
    }
}
