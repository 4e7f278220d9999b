namespace EdgeRuntime.Core.Delivery;

/// <summary>A version folder in the model store, as inspected.</summary>
/// <param name="Version">The version (≥ 1).</param>
/// <param name="Health">What the inspection found.</param>
/// <param name="Bytes">Bytes the folder holds (model, manifest, plan).</param>
/// <param name="Problem">What is wrong, in one line, when damaged.</param>
public sealed record StoredVersion(long Version, StoredHealth Health, long Bytes, string? Problem = null)
{
    /// <summary>Whether the version may be put into service (after <see cref="StepKind.CheckStored"/> when not yet verified).</summary>
    public bool Usable => Health != StoredHealth.Damaged;
}

/// <summary>How far a stored version has been checked.</summary>
public enum StoredHealth
{
    /// <summary>The signed manifest reads and names this version; the model file's sha256 was not computed in this inspection.</summary>
    Unchecked,

    /// <summary>The signed manifest reads and the model file's sha256 equals the signed one.</summary>
    Verified,

    /// <summary>The manifest is unreadable or refers to another version, the model file is missing, or its sha256 differs.</summary>
    Damaged,
}
