using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Manifests;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// What one model's reconcile loop remembers between passes (in memory; a restart considers everything afresh):
/// signed offers refused for good, retryable failures and their attempts, stored versions found damaged (until their
/// file changes), and the manifests of the offers seen. Used only from the model's loop.
/// </summary>
internal sealed class ReconcilerMemory
{
    private readonly Dictionary<long, (string Problem, FileStamp Stamp)> _damaged = [];

    public HashSet<string> Refused { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PastFailure> Failures { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, (ModelManifest Manifest, byte[] Envelope)> Manifests { get; } = new(StringComparer.Ordinal);

    public void Remember(string key, Refusal refusal, DateTimeOffset at, long freeBytes, bool always)
    {
        if (refusal.Retryable || always)
        {
            var attempts = Failures.TryGetValue(key, out var earlier) ? earlier.Attempts + 1 : 1;
            Failures[key] = new PastFailure(key, refusal, at, attempts, freeBytes);
        }
        else
        {
            Refused.Add(key);
        }
    }

    public void Succeeded(string key) => Failures.Remove(key);

    public void Damaged(long version, string problem, string modelFile) => _damaged[version] = (problem, FileStamp.Of(modelFile));

    /// <summary>The damage found earlier in <paramref name="version"/>, if its model file is still the one found damaged.</summary>
    public string? DamageOf(long version, string modelFile)
    {
        if (!_damaged.TryGetValue(version, out var damage))
        {
            return null;
        }

        if (damage.Stamp == FileStamp.Of(modelFile))
        {
            return damage.Problem;
        }

        _damaged.Remove(version);
        return null;
    }

    /// <summary>A file's identity for "has it changed": length and last write.</summary>
    private readonly record struct FileStamp(long Length, DateTime LastWrite)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc) : new FileStamp(-1, default);
        }
    }
}
