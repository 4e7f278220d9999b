namespace EdgeRuntime.Graph.Autodiff;

/// <summary>
/// A training graph cannot be built: one line naming what is wrong — the node and operator a gradient cannot pass,
/// the loss term, or the parameter — and why.
/// </summary>
public sealed class TrainingGraphException : Exception
{
    public TrainingGraphException()
    {
    }

    public TrainingGraphException(string message)
        : base(message)
    {
    }

    public TrainingGraphException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
