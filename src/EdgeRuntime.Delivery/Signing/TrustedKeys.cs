using System.Security.Cryptography;
using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Delivery.Signing;

/// <summary>
/// The public keys a device accepts signatures from (<c>Delivery:TrustedKeys</c>), by key id. Owns the native
/// keys; dispose it. Thread-safe for verification.
/// </summary>
public sealed class TrustedKeys : IDisposable
{
    private readonly Dictionary<string, ECDsa> _keys;

    private TrustedKeys(Dictionary<string, ECDsa> keys) => _keys = keys;

    /// <summary>The ids of the trusted keys.</summary>
    public IReadOnlyCollection<string> Ids => _keys.Keys;

    /// <summary>Loads public-key PEM files; every file must hold one ECDSA P-256 public key.</summary>
    /// <exception cref="SigningKeyException">A file is missing or not such a key; the message names it.</exception>
    public static TrustedKeys Load(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        try
        {
            foreach (var path in paths)
            {
                var key = LoadPublicKey(path);
                keys.TryAdd(KeyId.Of(key), key);
            }

            return new TrustedKeys(keys);
        }
        catch
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }

            throw;
        }
    }

    /// <summary>Trusts the public halves of <paramref name="keys"/> (tests and tools that sign and verify in one process).</summary>
    public static TrustedKeys Of(params SigningKey[] keys)
    {
        var trusted = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        foreach (var signing in keys)
        {
            var key = ECDsa.Create();
            key.ImportFromPem(signing.PublicKeyPem);
            trusted.TryAdd(signing.Id, key);
        }

        return new TrustedKeys(trusted);
    }

    /// <summary>Whether <paramref name="signature"/> is a valid signature of <paramref name="data"/> by the trusted key <paramref name="keyId"/>.</summary>
    /// <returns>Null when it is; otherwise why not, in a few words.</returns>
    public string? Check(string keyId, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => Verify(keyId, data, signature).Problem;

    /// <summary>
    /// A key id as refusals quote it: at most <see cref="QuotedKeyIdLength"/> characters, so a forged document's
    /// megabyte "key id" is not reflected into replies and logs (ids this project makes are 16 hex characters).
    /// </summary>
    public static string Shown(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        return keyId.Length <= QuotedKeyIdLength ? keyId : $"{keyId[..QuotedKeyIdLength]}… ({keyId.Length} characters)";
    }

    /// <summary>The longest key id quoted whole in a refusal.</summary>
    public const int QuotedKeyIdLength = 64;

    /// <summary>Like <see cref="Check"/>, with the verdict as a value: accepted, no trusted keys at all, unknown key, or bad signature.</summary>
    public (SignatureVerdict Verdict, string? Problem) Verify(string keyId, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (!_keys.TryGetValue(keyId, out var key))
        {
            return (_keys.Count == 0 ? SignatureVerdict.NoTrustedKeys : SignatureVerdict.UnknownKey, $"signed by unknown key {Shown(keyId)}");
        }

        return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? (SignatureVerdict.Accepted, null)
            : (SignatureVerdict.BadSignature, $"bad signature (key {keyId})");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private static ECDsa LoadPublicKey(string path)
    {
        var pem = PemFile.Read(path, "trusted key");

        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new SigningKeyException($"trusted key '{path}' is a private key; give devices only the .pub file");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new SigningKeyException($"trusted key '{path}' is not an ECDSA P-256 key");
            }

            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new SigningKeyException($"trusted key '{path}' is not an ECDSA P-256 public key in PEM: {ex.Message}", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
