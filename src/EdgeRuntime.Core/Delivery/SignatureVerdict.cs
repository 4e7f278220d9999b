namespace EdgeRuntime.Core.Delivery;

/// <summary>What checking a signed envelope against the device's trusted keys found (the check itself is in Delivery).</summary>
public enum SignatureVerdict
{
    /// <summary>Signed by a trusted key and intact.</summary>
    Accepted,

    /// <summary>The device trusts no key at all.</summary>
    NoTrustedKeys,

    /// <summary>Signed by a key the device does not trust.</summary>
    UnknownKey,

    /// <summary>The signature does not match the document.</summary>
    BadSignature,

    /// <summary>Not an envelope, or the signed document does not parse as what it should be.</summary>
    Malformed,
}
