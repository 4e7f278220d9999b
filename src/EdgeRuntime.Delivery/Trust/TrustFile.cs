using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EdgeRuntime.Core.IO;

namespace EdgeRuntime.Delivery.Trust;

/// <summary>One JSON file of the device's trust state: read tolerating damage, written atomically (fsync + rename).</summary>
internal static class TrustFile
{
    /// <summary>The file's content; null when it does not exist, or null with the reason in <paramref name="problem"/> when it is damaged.</summary>
    public static T? Read<T>(string path, JsonTypeInfo<T> type, out string? problem)
        where T : class
    {
        problem = null;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            var value = JsonSerializer.Deserialize(File.ReadAllBytes(path), type);
            if (value is null)
            {
                problem = $"'{path}' is damaged: it holds no document";
            }

            return value;
        }
        catch (JsonException ex)
        {
            problem = $"'{path}' is damaged: {ex.Message}";
            return null;
        }
        catch (IOException ex)
        {
            problem = $"'{path}' cannot be read: {ex.Message}";
            return null;
        }
    }

    /// <summary>Replaces the file with <paramref name="value"/>, atomically and durably.</summary>
    /// <exception cref="IOException">The write failed (a full disk); the file holds what it held before.</exception>
    public static void Write<T>(string path, T value, JsonTypeInfo<T> type)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(value, type));
    }
}
