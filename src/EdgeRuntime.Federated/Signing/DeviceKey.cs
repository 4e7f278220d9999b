using System.Security.Cryptography;

namespace EdgeRuntime.Federated.Signing;

/// <summary>
/// A device's own ECDSA P-256 private key, which signs its federated updates. The same PEM files as the fleet key
/// (<c>edgectl keys create --out devices/ID</c>: PKCS#8 private key, SubjectPublicKeyInfo public key); the device
/// keeps the <c>.key</c>, the fleet enrols the <c>.pub</c> with the aggregators
/// (<see cref="EnrolledDevices"/>). Owns the native key; dispose it.
/// </summary>
public sealed class DeviceKey : IDisposable
{
    private readonly ECDsa _key;

    private DeviceKey(ECDsa key)
    {
        _key = key;
        Id = KeyIds.Of(key);
    }

    /// <summary>The key id (first 16 hex digits of the SHA-256 of the public key), as in every signed update.</summary>
    public string Id { get; }

    /// <summary>The public half as PEM, the file the fleet enrols.</summary>
    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary>A new random key (tests, simulations).</summary>
    public static DeviceKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Reads a P-256 private key in PEM (PKCS#8 or SEC1).</summary>
    /// <exception cref="InvalidDataException">The file cannot be read or is not such a key; the message names it.</exception>
    public static DeviceKey Load(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"device key '{path}' cannot be read: {ex.Message}", ex);
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            _ = key.ExportECPrivateKey();
            if (key.KeySize != 256)
            {
                throw new InvalidDataException($"device key '{path}' is not an ECDSA P-256 key");
            }

            return new DeviceKey(key);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"device key '{path}' is not an ECDSA P-256 private key in PEM: {ex.Message}", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>ECDSA P-256 over the SHA-256 of <paramref name="data"/>, as r‖s (64 bytes, IEEE P1363).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
