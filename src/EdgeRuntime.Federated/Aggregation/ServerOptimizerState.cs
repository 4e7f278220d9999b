namespace EdgeRuntime.Federated.Aggregation;

/// <summary>The server optimiser's memory between versions (FedAvgM's momentum, FedAdam's moments); null vectors until first used.</summary>
/// <param name="Momentum">m.</param>
/// <param name="SecondMoment">v (FedAdam).</param>
/// <param name="Steps">Versions made.</param>
public sealed record ServerOptimizerState(float[]? Momentum, float[]? SecondMoment, long Steps)
{
    /// <summary>Before the first version.</summary>
    public static ServerOptimizerState Initial { get; } = new(null, null, 0);
}
