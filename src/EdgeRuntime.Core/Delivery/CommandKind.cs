namespace EdgeRuntime.Core.Delivery;

/// <summary>What a signed command asks of a model.</summary>
public enum CommandKind
{
    /// <summary>Serve a given version: from the store, the built-in v0, or fetched through that version's manifest.</summary>
    Deploy,

    /// <summary>Serve an older version the device still has (the built-in v0 included).</summary>
    Rollback,

    /// <summary>Verify the whole store now (every signed manifest, every model file's sha256) and repair what is damaged.</summary>
    Repair,
}
