using System.Globalization;
using System.Text.Json;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Manifests;

namespace EdgeRuntime.Delivery.Store;

/// <summary>
/// The device's versioned model store under the state directory:
/// <code>
/// models/{name}/state.json           serving and highest version (atomic replace)
/// models/{name}/{version}/model.onnx the verified file, exactly as the manifest describes it
/// models/{name}/{version}/manifest.signed.json   the signed manifest it came with
/// </code>
/// A version appears by renaming its complete folder into place, so a crash leaves either no version or a whole
/// one. Keeps the newest <see cref="KeepVersions"/> versions of each model plus the serving one, and refuses a
/// version that would not fit under <see cref="QuotaBytes"/> even after pruning. Not thread-safe: delivery
/// serialises store changes per device.
/// </summary>
public sealed class ModelStore
{
    /// <summary>The model file's name inside a version folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>The signed manifest's name inside a version folder.</summary>
    public const string ManifestFileName = "manifest.signed.json";

    private const string StateFileName = "state.json";

    /// <summary>Opens the store at <paramref name="root"/>; the folder is created with the first install.</summary>
    public ModelStore(string root, int keepVersions, long quotaBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepVersions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(quotaBytes, 1);
        Root = Path.GetFullPath(root);
        KeepVersions = keepVersions;
        QuotaBytes = quotaBytes;
    }

    /// <summary>The store's folder.</summary>
    public string Root { get; }

    /// <summary>Versions kept per model, the serving one aside.</summary>
    public int KeepVersions { get; }

    /// <summary>The most bytes the store may hold.</summary>
    public long QuotaBytes { get; }

    /// <summary>The names of the models with at least one stored version or a state.</summary>
    public IReadOnlyList<string> Models() =>
        !Directory.Exists(Root) ? [] : [.. Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(ModelName.IsValid).Order(StringComparer.Ordinal)];

    /// <summary>The stored versions of <paramref name="name"/>, oldest first.</summary>
    public IReadOnlyList<long> Versions(string name)
    {
        var folder = ModelFolder(name);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return [.. Directory.EnumerateDirectories(folder)
            .Select(Path.GetFileName)
            .Select(n => long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
            .Where(v => v > 0 && File.Exists(ModelPath(name, v)))
            .Order()];
    }

    /// <summary>The stored version, or null when the store does not have it.</summary>
    public InstalledModel? Get(string name, long version)
    {
        var path = ModelPath(name, version);
        var manifestPath = Path.Combine(VersionFolder(name, version), ManifestFileName);
        if (!File.Exists(path) || !File.Exists(manifestPath))
        {
            return null;
        }

        var sha = StoredSha256(manifestPath);
        return sha is null ? null : new InstalledModel(name, version, path, sha);
    }

    /// <summary>What the store remembers about <paramref name="name"/> (nothing served yet: null serving, highest 0).</summary>
    public ModelStoreState State(string name)
    {
        var path = Path.Combine(ModelFolder(name), StateFileName);
        if (!File.Exists(path))
        {
            return new ModelStoreState(null, 0);
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), StoreJsonContext.Default.ModelStoreState) ?? new ModelStoreState(null, 0);
        }
        catch (JsonException ex)
        {
            throw new IOException($"model store state '{path}' is damaged: {ex.Message}", ex);
        }
    }

    /// <summary>Records that <paramref name="version"/> serves now; raises the highest version when it is higher.</summary>
    public void MarkServing(string name, long version)
    {
        var state = State(name);
        var next = new ModelStoreState(version, Math.Max(state.HighestVersion, version));
        Directory.CreateDirectory(ModelFolder(name));
        AtomicFile.WriteAllBytes(Path.Combine(ModelFolder(name), StateFileName), JsonSerializer.SerializeToUtf8Bytes(next, StoreJsonContext.Default.ModelStoreState));
    }

    /// <summary>Bytes used by every file in the store.</summary>
    public long UsedBytes() => FolderBytes(Root);

    /// <summary>
    /// Why a new version of <paramref name="length"/> bytes cannot be stored, or null when it fits (counting the
    /// room that pruning this model's old versions would free).
    /// </summary>
    public string? CheckRoom(string name, long length)
    {
        if (length > QuotaBytes)
        {
            return $"the model is {Megabytes(length)}, more than the store quota of {Megabytes(QuotaBytes)} (Delivery:StoreQuotaMegabytes)";
        }

        var reclaimable = PrunableVersions(name, keepNewest: KeepVersions - 1).Sum(v => FolderBytes(VersionFolder(name, v)));
        var after = UsedBytes() - reclaimable + length;
        return after > QuotaBytes
            ? $"storing {Megabytes(length)} would bring the store to {Megabytes(after)}, over its quota of {Megabytes(QuotaBytes)} (Delivery:StoreQuotaMegabytes)"
            : null;
    }

    /// <summary>
    /// Moves a verified file into the store as <paramref name="manifest"/>'s version, with the signed manifest
    /// beside it: both are written and flushed in a hidden folder that is then renamed into place. Prunes the
    /// model's old versions first so that the quota holds.
    /// </summary>
    /// <param name="manifest">The manifest the file was verified against.</param>
    /// <param name="signedManifest">The envelope it arrived in, kept so the store can be re-verified.</param>
    /// <param name="verifiedFile">The complete file; it is moved, so it must be on the store's file system.</param>
    public InstalledModel Install(ModelManifest manifest, ReadOnlySpan<byte> signedManifest, string verifiedFile)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Prune(manifest.Name, keepNewest: KeepVersions - 1);
        var modelFolder = ModelFolder(manifest.Name);
        Directory.CreateDirectory(modelFolder);
        var final = VersionFolder(manifest.Name, manifest.Version);
        var staging = Path.Combine(modelFolder, $".{manifest.Version}.installing");
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        using (var file = new FileStream(verifiedFile, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Flush(flushToDisk: true);
        }

        File.Move(verifiedFile, Path.Combine(staging, ModelFileName));
        AtomicFile.WriteAllBytes(Path.Combine(staging, ManifestFileName), signedManifest);
        if (Directory.Exists(final))
        {
            // The same version again (a rollback removed it from service, or a crash interrupted its activation):
            // the new copy, verified against the same signed digest, replaces it.
            Directory.Delete(final, recursive: true);
        }

        Directory.Move(staging, final);
        AtomicFile.FlushDirectory(modelFolder);
        return new InstalledModel(manifest.Name, manifest.Version, Path.Combine(final, ModelFileName), manifest.Sha256);
    }

    /// <summary>Deletes a version (one that failed to activate). Never the serving one.</summary>
    public void Remove(string name, long version)
    {
        if (State(name).ServingVersion == version)
        {
            throw new InvalidOperationException($"{name} v{version} is serving; it cannot be removed");
        }

        var folder = VersionFolder(name, version);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
            AtomicFile.FlushDirectory(ModelFolder(name));
        }
    }

    /// <summary>Keeps the newest <paramref name="keepNewest"/> versions and the serving one; deletes the rest and leftovers of interrupted installs.</summary>
    public void Prune(string name, int keepNewest)
    {
        var folder = ModelFolder(name);
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var leftover in Directory.EnumerateDirectories(folder, ".*.installing"))
        {
            Directory.Delete(leftover, recursive: true);
        }

        foreach (var version in PrunableVersions(name, keepNewest))
        {
            Directory.Delete(VersionFolder(name, version), recursive: true);
        }

        AtomicFile.FlushDirectory(folder);
    }

    /// <summary>The version's folder.</summary>
    public string VersionFolder(string name, long version) =>
        Path.Combine(ModelFolder(name), version.ToString(CultureInfo.InvariantCulture));

    private IEnumerable<long> PrunableVersions(string name, int keepNewest)
    {
        var serving = State(name).ServingVersion;
        var versions = Versions(name);
        return versions.Take(Math.Max(0, versions.Count - Math.Max(0, keepNewest))).Where(v => v != serving);
    }

    private string ModelFolder(string name) =>
        ModelName.IsValid(name) ? Path.Combine(Root, name) : throw new ArgumentException($"model name '{name}' is not allowed: {ModelName.AllowedDescription}", nameof(name));

    private string ModelPath(string name, long version) => Path.Combine(VersionFolder(name, version), ModelFileName);

    private static string? StoredSha256(string manifestPath)
    {
        // The envelope was verified before it was stored; here it only says which digest the file has.
        try
        {
            var envelope = JsonSerializer.Deserialize(File.ReadAllBytes(manifestPath), Signing.SignedEnvelopeJsonContext.Default.SignedEnvelope);
            return envelope is null ? null : ModelManifestJson.Parse(Convert.FromBase64String(envelope.Payload), out _)?.Sha256;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IOException)
        {
            return null;
        }
    }

    private static long FolderBytes(string folder) =>
        Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    internal static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):0.#} MB";
}
