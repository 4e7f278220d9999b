namespace EdgeRuntime.Learning.Training;

/// <summary>
/// Keeps track of the best validation loss and says when to stop: after <c>patience</c> epochs without an
/// improvement of more than <c>minDelta</c> (relative). Pure state, no clock.
/// </summary>
public sealed class EarlyStopping(int patience, double minDelta = 1e-4)
{
    /// <summary>The best validation loss seen, or +∞.</summary>
    public double Best { get; private set; } = double.PositiveInfinity;

    /// <summary>The epoch (0-based) that reached <see cref="Best"/>, or -1.</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <summary>Epochs since the best.</summary>
    public int Stale { get; private set; }

    /// <summary>Records an epoch's validation loss; returns whether it is a new best.</summary>
    public bool Record(int epoch, double validationLoss)
    {
        if (double.IsFinite(validationLoss) && validationLoss < Best * (1 - minDelta))
        {
            Best = validationLoss;
            BestEpoch = epoch;
            Stale = 0;
            return true;
        }

        Stale++;
        return false;
    }

    /// <summary>Whether to stop now.</summary>
    public bool ShouldStop => Stale >= patience;
}
