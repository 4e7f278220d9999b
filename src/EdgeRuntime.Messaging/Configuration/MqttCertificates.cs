using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeRuntime.Messaging.Configuration;

/// <summary>Loads the certificate files named in <see cref="MqttTlsOptions"/>. Callers own the returned certificates.</summary>
public static class MqttCertificates
{
    /// <summary>Reads every certificate in a PEM file of trusted CAs.</summary>
    /// <exception cref="CryptographicException">The file holds no readable certificate.</exception>
    public static X509Certificate2Collection LoadCaFile(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        if (collection.Count == 0)
        {
            throw new CryptographicException("the file holds no PEM certificate");
        }

        return collection;
    }

    /// <summary>Reads the client certificate with its private key, from PEM (+ key file) or PKCS#12.</summary>
    /// <exception cref="CryptographicException">The file cannot be read as a certificate with a private key.</exception>
    public static X509Certificate2 LoadClientCertificate(MqttTlsOptions tls)
    {
        var path = tls.ClientCertificateFile ?? throw new InvalidOperationException("no client certificate file is configured");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        var certificate = extension is ".pfx" or ".p12"
            ? X509CertificateLoader.LoadPkcs12FromFile(path, tls.ClientCertificatePassword)
            : X509Certificate2.CreateFromPemFile(path, tls.ClientKeyFile);
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new CryptographicException("the certificate has no private key (set Mqtt:Tls:ClientKeyFile)");
        }

        return certificate;
    }

    /// <summary>
    /// Validates a broker certificate against the configured CAs only (custom root trust), so a device
    /// trusts exactly the fleet's CA and not every public CA on the machine.
    /// </summary>
    public static bool IsTrustedByCustomRoots(X509Certificate? presented, X509Certificate2Collection roots, bool nameMatched)
    {
        if (presented is null || !nameMatched)
        {
            return false;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        return chain.Build(certificate);
    }
}
