using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>A step failed in a way delivery expects (bad bytes, no room, a model that does not fit): the refusal says how.</summary>
public sealed class DeliveryStepException : Exception
{
    /// <summary>Creates the exception for <paramref name="refusal"/>.</summary>
    public DeliveryStepException(Refusal refusal, Exception? innerException = null)
        : base(refusal?.Message, innerException)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        Refusal = refusal;
    }

    /// <summary>Creates the exception without a refusal (an internal error).</summary>
    public DeliveryStepException()
        : this(new Refusal(RefusalCode.InternalError, 0, "internal error", true))
    {
    }

    /// <summary>Creates the exception with a message (an internal error).</summary>
    public DeliveryStepException(string message)
        : this(new Refusal(RefusalCode.InternalError, 0, message, true))
    {
    }

    /// <summary>Creates the exception with a message and cause (an internal error).</summary>
    public DeliveryStepException(string message, Exception innerException)
        : this(new Refusal(RefusalCode.InternalError, 0, message, true), innerException)
    {
    }

    /// <summary>How the step failed.</summary>
    public Refusal Refusal { get; }

    /// <summary>A failure with <paramref name="code"/> for <paramref name="version"/>, retryable as the code says.</summary>
    public static DeliveryStepException Of(RefusalCode code, long version, string message, Exception? innerException = null) =>
        new(new Refusal(code, version, message, RefusalCodes.IsRetryable(code)), innerException);
}
