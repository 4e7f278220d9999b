using System.Security.Cryptography;

namespace EdgeRuntime.Delivery.Signing;

/// <summary>
/// A signing key's id: the first 16 hex digits of the sha256 of its public key (SubjectPublicKeyInfo, DER).
/// Short enough for log lines, long enough that two fleet keys never share one by accident.
/// </summary>
public static class KeyId
{
    /// <summary>The id of <paramref name="key"/>.</summary>
    public static string Of(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
    }
}
