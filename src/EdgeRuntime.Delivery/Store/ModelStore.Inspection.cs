using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Store;

public sealed partial class ModelStore
{
    /// <summary>
    /// Inspects every version folder of <paramref name="name"/>: the signed manifest must read, carry a valid signature
    /// (when <paramref name="trusted"/> knows its key: a key since retired from trust does not condemn a version that was
    /// verified when installed), and name this model and version; the model file must have the signed length, and —
    /// for the versions <paramref name="hash"/> selects — the signed sha256.
    /// </summary>
    public IReadOnlyList<StoredVersion> Inspect(string name, TrustedKeys? trusted, Func<long, bool> hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var folder = ModelFolder(name);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var result = new List<StoredVersion>();
        foreach (var directory in Directory.EnumerateDirectories(folder))
        {
            if (!long.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
            {
                continue;
            }

            var bytes = FolderBytes(directory);
            var problem = Check(name, version, trusted, hash(version));
            result.Add(new StoredVersion(version, problem is not null ? StoredHealth.Damaged : hash(version) ? StoredHealth.Verified : StoredHealth.Unchecked, bytes, problem));
        }

        return [.. result.OrderBy(s => s.Version)];
    }

    /// <summary>Re-hashes a stored version's model file against its signed sha256; the problem in one line, or null when intact.</summary>
    public string? VerifyModelFile(string name, long version) => Check(name, version, trusted: null, hash: true);

    private string? Check(string name, long version, TrustedKeys? trusted, bool hash)
    {
        var manifest = StoredManifest(Path.Combine(VersionFolder(name, version), ManifestFileName), trusted, out var problem);
        if (manifest is null)
        {
            return problem;
        }

        if (manifest.Name != name || manifest.Version != version)
        {
            return $"{ManifestFileName} is for {manifest}, not {name} v{version}";
        }

        var path = ModelPath(name, version);
        try
        {
            var length = new FileInfo(path).Length;
            if (length != manifest.Length)
            {
                return $"{ModelFileName} is {length} bytes; its signed manifest says {manifest.Length}";
            }

            if (!hash)
            {
                return null;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            var digest = Convert.ToHexStringLower(SHA256.HashData(stream));
            return digest == manifest.Sha256 ? null : $"{ModelFileName} has sha256 {digest[..16]}…; its signed manifest says {manifest.Sha256[..16]}…";
        }
        catch (FileNotFoundException)
        {
            return $"{ModelFileName} is missing";
        }
        catch (IOException ex)
        {
            return $"{ModelFileName} cannot be read: {ex.Message}";
        }
    }

    private static ModelManifest? StoredManifest(string manifestPath, TrustedKeys? trusted, out string? problem)
    {
        try
        {
            var bytes = File.ReadAllBytes(manifestPath);
            if (trusted is not null)
            {
                var check = SignedEnvelope.Open(bytes, trusted);
                if (check.Verdict is SignatureVerdict.BadSignature or SignatureVerdict.Malformed)
                {
                    problem = $"{ManifestFileName}: {check.Problem}";
                    return null;
                }
            }

            var envelope = JsonSerializer.Deserialize(bytes, SignedEnvelopeJsonContext.Default.SignedEnvelope);
            string? parseProblem = "no payload";
            var manifest = envelope?.Payload is null ? null : ModelManifestJson.Parse(Convert.FromBase64String(envelope.Payload), out parseProblem);
            problem = manifest is null ? $"{ManifestFileName} is damaged: {parseProblem}" : null;
            return manifest;
        }
        catch (FileNotFoundException)
        {
            problem = $"{ManifestFileName} is missing";
            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IOException)
        {
            problem = $"{ManifestFileName} is damaged: {ex.Message}";
            return null;
        }
    }
}
