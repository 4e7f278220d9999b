using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Inference.Serving;

/// <summary>
/// The execution plan cached beside a version in the store (<c>plan.onnx</c> and its record <c>plan.json</c>): used only
/// when its <see cref="PlanCacheKey"/> equals the one asked for and the plan file's sha256 equals the recorded one — a
/// truncated or altered plan, or one made for another processor or runtime, is a miss, never an error.
/// </summary>
internal static class PlanCache
{
    public const string PlanFileName = "plan.onnx";
    public const string RecordFileName = "plan.json";

    /// <summary>The cached plan for <paramref name="key"/> in <paramref name="folder"/>, or null on a miss (with the reason).</summary>
    public static (byte[] Plan, ExecutionPlan Record)? TryLoad(string folder, PlanCacheKey key, out string? miss)
    {
        var planPath = Path.Combine(folder, PlanFileName);
        var recordPath = Path.Combine(folder, RecordFileName);
        miss = null;
        if (!File.Exists(planPath) || !File.Exists(recordPath))
        {
            miss = "no cached plan";
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize(File.ReadAllBytes(recordPath), PlanCacheJsonContext.Default.ExecutionPlan);
            if (record is null || record.Key != key)
            {
                miss = "the cached plan was made for another model, device, runtime or input shape";
                return null;
            }

            var plan = File.ReadAllBytes(planPath);
            if (Convert.ToHexStringLower(SHA256.HashData(plan)) != record.PlanSha256)
            {
                miss = "the cached plan does not match its recorded sha256 (damaged)";
                return null;
            }

            return (plan, record);
        }
        catch (Exception ex) when (ex is JsonException or IOException or NotSupportedException)
        {
            miss = $"the cached plan's record is unreadable: {ex.Message}";
            return null;
        }
    }

    /// <summary>Writes a plan and its record (plan first, record last: a crash between them leaves a miss, never a mismatch).</summary>
    /// <exception cref="IOException">A write failed (a full disk); what was half written is removed.</exception>
    public static ExecutionPlan Store(string folder, PlanCacheKey key, byte[] plan, string description)
    {
        var record = new ExecutionPlan(key, Convert.ToHexStringLower(SHA256.HashData(plan)), description);
        var recordPath = Path.Combine(folder, RecordFileName);
        try
        {
            File.Delete(recordPath);
            AtomicFile.WriteAllBytes(Path.Combine(folder, PlanFileName), plan);
            AtomicFile.WriteAllBytes(recordPath, JsonSerializer.SerializeToUtf8Bytes(record, PlanCacheJsonContext.Default.ExecutionPlan));
        }
        catch (IOException)
        {
            File.Delete(recordPath);
            File.Delete(Path.Combine(folder, PlanFileName));
            throw;
        }

        return record;
    }
}

[JsonSerializable(typeof(ExecutionPlan))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class PlanCacheJsonContext : JsonSerializerContext;
