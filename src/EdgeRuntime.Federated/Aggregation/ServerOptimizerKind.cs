namespace EdgeRuntime.Federated.Aggregation;

/// <summary>How the combined delta moves the global parameters (Reddi et al. 2021, "Adaptive Federated Optimization").</summary>
public enum ServerOptimizerKind
{
    /// <summary>x ← x + η·Δ̄ (η = 1: plain FedAvg).</summary>
    Sgd,

    /// <summary>Server momentum (FedAvgM, Hsu et al. 2019): m ← β·m + Δ̄; x ← x + η·m.</summary>
    FedAvgM,

    /// <summary>FedAdam (Reddi et al. 2021): m ← β₁m + (1−β₁)Δ̄; v ← β₂v + (1−β₂)Δ̄²; x ← x + η·m / (√v + τ).</summary>
    FedAdam,
}
