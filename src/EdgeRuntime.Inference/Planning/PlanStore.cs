using System.Security.Cryptography;
using System.Text.Json;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Inference.Planning;

/// <summary>
/// Plans kept on disk, one folder per <see cref="PlanCacheKey"/> (its content hash) under a root: <c>plan.onnx</c> (the
/// model the session runs), <c>plan.json</c> (<see cref="CachedPlan"/>) and <c>report.json</c> (the search's
/// <see cref="PlanReport"/>). A plan is used only when its key equals the one asked for and the file's sha256 equals the
/// recorded one: a damaged, foreign or half-written entry is a miss, never an error. Files are written atomically, the
/// record last. Not thread-safe for one key; distinct keys may be used at once.
/// </summary>
public sealed class PlanStore(string root)
{
    private const string PlanFile = "plan.onnx";
    private const string RecordFile = "plan.json";
    private const string ReportFile = "report.json";

    /// <summary>The folder of the plans.</summary>
    public string Root { get; } = root;

    /// <summary>The cached plan for <paramref name="key"/> with its model bytes, or null with the reason for the miss.</summary>
    public (CachedPlan Record, byte[] Model)? TryLoad(PlanCacheKey key, out string? miss)
    {
        ArgumentNullException.ThrowIfNull(key);
        var folder = Path.Combine(Root, key.ContentHash());
        miss = null;
        if (Read(Path.Combine(folder, RecordFile)) is not { } record)
        {
            miss = "no plan cached for this model, device, runtime and input shapes";
            return null;
        }

        if (record.Plan.Key != key)
        {
            miss = "the cached plan was made for another key";
            return null;
        }

        try
        {
            var model = File.ReadAllBytes(Path.Combine(folder, PlanFile));
            if (Convert.ToHexStringLower(SHA256.HashData(model)) != record.Plan.PlanSha256)
            {
                miss = "the cached plan does not match its recorded sha256 (damaged)";
                return null;
            }

            return (record, model);
        }
        catch (IOException ex)
        {
            miss = $"the cached plan cannot be read ({ex.Message.ReplaceLineEndings(" ")})";
            return null;
        }
    }

    /// <summary>
    /// The newest valid plan of the same model (same sha256) under another key — the previous plan, to serve while a
    /// changed key (new device fingerprint, runtime or EdgeRuntime version) is re-planned. Null when there is none.
    /// </summary>
    public (CachedPlan Record, byte[] Model)? TryLoadPrevious(PlanCacheKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!Directory.Exists(Root))
        {
            return null;
        }

        foreach (var folder in new DirectoryInfo(Root).GetDirectories().OrderByDescending(d => d.LastWriteTimeUtc))
        {
            if (Read(Path.Combine(folder.FullName, RecordFile)) is { } record && record.Plan.Key.ModelSha256 == key.ModelSha256 && record.Plan.Key != key &&
                TryLoad(record.Plan.Key, out _) is { } previous)
            {
                return previous;
            }
        }

        return null;
    }

    /// <summary>Stores a plan under its key; returns the record written.</summary>
    /// <exception cref="IOException">A write failed (full disk); what was half written is removed.</exception>
    public CachedPlan Store(PlanCacheKey key, PlanResult result, string description)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(result);
        var folder = Path.Combine(Root, key.ContentHash());
        Directory.CreateDirectory(folder);
        var record = new CachedPlan(new ExecutionPlan(key, Convert.ToHexStringLower(SHA256.HashData(result.Model)), description), result.Settings, result.Report.ElapsedSeconds);
        var recordPath = Path.Combine(folder, RecordFile);
        try
        {
            File.Delete(recordPath);
            AtomicFile.WriteAllBytes(Path.Combine(folder, PlanFile), result.Model);
            AtomicFile.WriteAllBytes(Path.Combine(folder, ReportFile), JsonSerializer.SerializeToUtf8Bytes(result.Report, PlanJson.Default.PlanReport));
            AtomicFile.WriteAllBytes(recordPath, JsonSerializer.SerializeToUtf8Bytes(record, PlanJson.Default.CachedPlan));
        }
        catch (IOException)
        {
            File.Delete(recordPath);
            throw;
        }

        return record;
    }

    private static CachedPlan? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), PlanJson.Default.CachedPlan) : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or NotSupportedException)
        {
            return null;
        }
    }
}
