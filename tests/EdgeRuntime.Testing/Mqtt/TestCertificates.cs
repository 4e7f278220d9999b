using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeRuntime.Testing.Mqtt;

/// <summary>
/// A throw-away CA with a broker (127.0.0.1/localhost) and a client certificate, written as PEM files that
/// a Mosquitto started as root (which drops to its own user) can still read. Dispose to delete them.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string ServerCertificateFile => Path.Combine(Directory, "server.pem");

    public string ServerKeyFile => Path.Combine(Directory, "server.key");

    public string ClientCertificateFile => Path.Combine(Directory, "client.pem");

    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    /// <summary>A second, unrelated CA: a broker certificate it did not sign must be refused.</summary>
    public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

    public static TestCertificates Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("edge-certs-").FullName;
        var now = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds());
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=EdgeRuntime Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem());

        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherRequest = new CertificateRequest("CN=Unrelated CA", otherKey, HashAlgorithmName.SHA256);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = otherRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        File.WriteAllText(Path.Combine(directory, "other-ca.pem"), other.ExportCertificatePem());

        WriteLeaf(directory, "server", "CN=localhost", ca, now, server: true);
        WriteLeaf(directory, "client", "CN=edge-device-1", ca, now, server: false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            foreach (var file in System.IO.Directory.GetFiles(directory))
            {
                File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
            }
        }

        return new TestCertificates(directory);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static void WriteLeaf(string directory, string name, string subject, X509Certificate2 issuer, DateTimeOffset now, bool server)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        using var certificate = request.Create(issuer, now.AddDays(-1), now.AddDays(30), serial);
        File.WriteAllText(Path.Combine(directory, $"{name}.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, $"{name}.key"), key.ExportPkcs8PrivateKeyPem());
    }
}
