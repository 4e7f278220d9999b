using System.Security.Cryptography;

namespace EdgeRuntime.Delivery.Signing;

/// <summary>
/// The fleet's ECDSA P-256 private key, which signs manifests and commands. Files are PEM: the private key as
/// PKCS#8 (<c>NAME.key</c>, mode 0600), the public key as SubjectPublicKeyInfo (<c>NAME.pub</c>), the form
/// devices list in <c>Delivery:TrustedKeys</c>. Owns the native key; dispose it.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private readonly ECDsa _key;

    private SigningKey(ECDsa key)
    {
        _key = key;
        Id = KeyId.Of(key);
    }

    /// <summary>The key id devices see in signed documents.</summary>
    public string Id { get; }

    /// <summary>A new random key.</summary>
    public static SigningKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Reads a private key file written by <see cref="Save"/> (or openssl's PKCS#8 / SEC1 PEM).</summary>
    /// <exception cref="SigningKeyException">The file is missing, unreadable or not a P-256 private key.</exception>
    public static SigningKey Load(string path)
    {
        var pem = PemFile.Read(path, "signing key");

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256 || key.ExportParameters(includePrivateParameters: false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new SigningKeyException($"signing key '{path}' is not an ECDSA P-256 key");
            }

            _ = key.ExportECPrivateKey();
            return new SigningKey(key);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new SigningKeyException($"signing key '{path}' is not an ECDSA P-256 private key in PEM: {ex.Message}", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <c>{basePath}.key</c> (private, created with mode 0600 so it is never readable by others, not even
    /// for a moment) and <c>{basePath}.pub</c>. Refuses to overwrite either file.
    /// </summary>
    public (string PrivateKeyPath, string PublicKeyPath) Save(string basePath)
    {
        var privatePath = basePath + ".key";
        var publicPath = basePath + ".pub";
        foreach (var path in new[] { privatePath, publicPath })
        {
            if (File.Exists(path))
            {
                throw new SigningKeyException($"'{path}' exists; remove it first or choose another name");
            }
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(privatePath, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(_key.ExportPkcs8PrivateKeyPem());
            writer.WriteLine();
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.WriteAllText(publicPath, PublicKeyPem + Environment.NewLine);
        return (privatePath, publicPath);
    }

    /// <summary>The public half as PEM (SubjectPublicKeyInfo).</summary>
    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Signs <paramref name="data"/>: ECDSA P-256 over its SHA-256, as r‖s (64 bytes, IEEE P1363).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}

/// <summary>A key file cannot be used; the message names the file and the problem.</summary>
public sealed class SigningKeyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SigningKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public SigningKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a message.</summary>
    public SigningKeyException()
    {
    }
}
