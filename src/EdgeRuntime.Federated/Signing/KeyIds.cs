using System.Security.Cryptography;

namespace EdgeRuntime.Federated.Signing;

/// <summary>Key ids as the fleet's signing keys have them: the first 16 hex digits of the SHA-256 of the public key (SubjectPublicKeyInfo, DER).</summary>
internal static class KeyIds
{
    public static string Of(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
}
