namespace EdgeRuntime.Federated.Aggregation;

/// <summary>How much an update that started τ versions ago counts (s(τ) ∈ (0, 1], s(0) = 1).</summary>
public enum StalenessFunction
{
    /// <summary>s(τ) = 1.</summary>
    Constant,

    /// <summary>s(τ) = (1 + τ)^−a (FedAsync, Xie et al. 2019; FedBuff uses a = 0.5).</summary>
    Polynomial,

    /// <summary>s(τ) = 1 for τ ≤ b, else 1 / (a·(τ − b) + 1) (the hinge form of FedAsync, Xie et al. 2019).</summary>
    Hinge,
}
