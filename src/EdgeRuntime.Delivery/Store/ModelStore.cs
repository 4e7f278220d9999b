using System.Globalization;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Manifests;

namespace EdgeRuntime.Delivery.Store;

/// <summary>
/// The device's versioned model store under the state directory:
/// <code>
/// models/{name}/state.json           serving, highest and held-back versions (atomic replace)
/// models/{name}/{version}/model.onnx the verified file, exactly as the manifest describes it
/// models/{name}/{version}/manifest.signed.json   the signed manifest it came with
/// models/{name}/{version}/…          files derived from the model (the activator's plan), removable at any time
/// downloads/{name}-{version}-{sha}/  partial downloads (<see cref="Transfer.PartialDownload"/>), counted in the quota
/// </code>
/// A version appears by renaming its complete folder into place, so a crash leaves either no version or a whole one.
/// Keeps the newest <see cref="KeepVersions"/> versions of each model plus the serving one, and refuses a version that
/// would not fit under <see cref="QuotaBytes"/> even after pruning. Every read tolerates damage (a damaged file is
/// reported, never thrown past the caller as a crash). Not thread-safe: delivery serialises store changes per model.
/// </summary>
public sealed partial class ModelStore
{
    /// <summary>The model file's name inside a version folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>The signed manifest's name inside a version folder.</summary>
    public const string ManifestFileName = "manifest.signed.json";

    private const string StateFileName = "state.json";

    /// <summary>Opens the store at <paramref name="root"/>; the folder is created with the first install.</summary>
    /// <param name="root">The store's folder (<c>models</c> in the state directory).</param>
    /// <param name="keepVersions">Versions kept per model besides the serving one.</param>
    /// <param name="quotaBytes">The most the store and the partial downloads may hold together.</param>
    /// <param name="downloadsRoot">Where partial downloads live (same file system); default: <c>downloads</c> beside <paramref name="root"/>.</param>
    public ModelStore(string root, int keepVersions, long quotaBytes, string? downloadsRoot = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepVersions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(quotaBytes, 1);
        Root = Path.GetFullPath(root);
        DownloadsRoot = Path.GetFullPath(downloadsRoot ?? Path.Combine(Path.GetDirectoryName(Root)!, "downloads"));
        KeepVersions = keepVersions;
        QuotaBytes = quotaBytes;
    }

    /// <summary>The store's folder.</summary>
    public string Root { get; }

    /// <summary>The folder of partial downloads.</summary>
    public string DownloadsRoot { get; }

    /// <summary>Versions kept per model, the serving one aside.</summary>
    public int KeepVersions { get; }

    /// <summary>The most bytes the store and the partial downloads may hold together.</summary>
    public long QuotaBytes { get; }

    /// <summary>The names of the models with at least one stored version or a state.</summary>
    public IReadOnlyList<string> Models() =>
        !Directory.Exists(Root) ? [] : [.. Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(ModelName.IsValid).Order(StringComparer.Ordinal)];

    /// <summary>The stored versions of <paramref name="name"/> (folders with a model file), oldest first.</summary>
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

    /// <summary>The stored version, or null when the store does not have it or its manifest is unreadable.</summary>
    public InstalledModel? Get(string name, long version)
    {
        var path = ModelPath(name, version);
        var manifestPath = Path.Combine(VersionFolder(name, version), ManifestFileName);
        if (!File.Exists(path) || !File.Exists(manifestPath))
        {
            return null;
        }

        var manifest = StoredManifest(manifestPath, trusted: null, out _);
        return manifest is null || manifest.Version != version || manifest.Name != name ? null : new InstalledModel(name, version, path, manifest.Sha256);
    }

    /// <summary>Bytes used by every file in the store and the partial downloads.</summary>
    public long UsedBytes() => FolderBytes(Root) + FolderBytes(DownloadsRoot);

    /// <summary>Free space on the file system that holds the store (what a write may still use).</summary>
    public long FreeBytes()
    {
        var existing = Directory.Exists(Root) ? Root : Path.GetDirectoryName(Root)!;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        return new DriveInfo(existing).AvailableFreeSpace;
    }

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
    /// <exception cref="IOException">A write failed (a full disk); nothing of the version is left behind.</exception>
    public InstalledModel Install(ModelManifest manifest, ReadOnlySpan<byte> signedManifest, string verifiedFile)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Prune(manifest.Name, keepNewest: KeepVersions - 1);
        var modelFolder = ModelFolder(manifest.Name);
        Directory.CreateDirectory(modelFolder);
        var final = VersionFolder(manifest.Name, manifest.Version);
        var staging = Path.Combine(modelFolder, $".{manifest.Version}.installing");
        DeleteFolder(staging);
        try
        {
            Directory.CreateDirectory(staging);
            using (var file = new FileStream(verifiedFile, FileMode.Open, FileAccess.ReadWrite))
            {
                file.Flush(flushToDisk: true);
            }

            File.Move(verifiedFile, Path.Combine(staging, ModelFileName));
            AtomicFile.WriteAllBytes(Path.Combine(staging, ManifestFileName), signedManifest);

            // The same version again (a rollback removed it from service, a repair, or a crash interrupted its
            // activation): the new copy, verified against the same signed digest, replaces it.
            DeleteFolder(final);
            Directory.Move(staging, final);
            AtomicFile.FlushDirectory(modelFolder);
        }
        catch (IOException)
        {
            DeleteFolder(staging);
            throw;
        }

        return new InstalledModel(manifest.Name, manifest.Version, Path.Combine(final, ModelFileName), manifest.Sha256);
    }

    /// <summary>Deletes a version (one that failed to activate). Never the serving one.</summary>
    public void Remove(string name, long version)
    {
        if (State(name).ServingVersion == version)
        {
            throw new InvalidOperationException($"{name} v{version} is serving; it cannot be removed");
        }

        Discard(name, version);
    }

    /// <summary>Deletes a version folder whatever the state says (a damaged version that is fetched again).</summary>
    public void Discard(string name, long version)
    {
        var folder = VersionFolder(name, version);
        if (Directory.Exists(folder))
        {
            DeleteFolder(folder);
            AtomicFile.FlushDirectory(ModelFolder(name));
        }
    }

    /// <summary>Deletes what the store did not put there itself in a version folder: files derived from the model (plans).</summary>
    public void RemoveDerivedFiles(string name, long version)
    {
        var folder = VersionFolder(name, version);
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(folder).Where(f => Path.GetFileName(f) is not (ModelFileName or ManifestFileName)))
        {
            File.Delete(file);
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
            DeleteFolder(leftover);
        }

        foreach (var version in PrunableVersions(name, keepNewest))
        {
            DeleteFolder(VersionFolder(name, version));
        }

        AtomicFile.FlushDirectory(folder);
    }

    /// <summary>The version's folder.</summary>
    public string VersionFolder(string name, long version) =>
        Path.Combine(ModelFolder(name), version.ToString(CultureInfo.InvariantCulture));

    private IEnumerable<long> PrunableVersions(string name, int keepNewest)
    {
        var serving = TryState(name, out _)?.ServingVersion;
        var versions = Versions(name);
        return versions.Take(Math.Max(0, versions.Count - Math.Max(0, keepNewest))).Where(v => v != serving);
    }

    private string ModelFolder(string name) =>
        ModelName.IsValid(name) ? Path.Combine(Root, name) : throw new ArgumentException($"model name '{name}' is not allowed: {ModelName.AllowedDescription}", nameof(name));

    private string ModelPath(string name, long version) => Path.Combine(VersionFolder(name, version), ModelFileName);

    private static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long FolderBytes(string folder) =>
        Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    internal static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):0.#} MB";
}
