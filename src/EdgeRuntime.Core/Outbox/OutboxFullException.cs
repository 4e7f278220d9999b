namespace EdgeRuntime.Core.Outbox;

/// <summary>The outbox holds as many entries as it may; nothing was added. The message says how many.</summary>
public sealed class OutboxFullException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OutboxFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public OutboxFullException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public OutboxFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
