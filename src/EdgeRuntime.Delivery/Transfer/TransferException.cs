namespace EdgeRuntime.Delivery.Transfer;

/// <summary>
/// A transfer that cannot succeed as published: a chunk whose bytes do not match the signed hash, a source
/// shorter than the manifest says, a file whose digest differs. Retrying fetches the same bad bytes, so the
/// version is refused. The message is one line naming the chunk or byte count.
/// </summary>
public sealed class TransferException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransferException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public TransferException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a message.</summary>
    public TransferException()
    {
    }
}
