using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Inference.Planning;

/// <summary>Where a served plan came from.</summary>
public enum PlanSource
{
    /// <summary>The plan store had it for this exact key.</summary>
    Cache,

    /// <summary>Searched now.</summary>
    Search,

    /// <summary>A plan of the same model made under another key (device, runtime or EdgeRuntime changed); a re-plan follows in the background.</summary>
    Previous,

    /// <summary>Not searched (turned off, or the search could not run): ONNX Runtime's default on the model as delivered.</summary>
    Default,
}

/// <summary>A plan ready to serve.</summary>
/// <param name="Settings">The session settings.</param>
/// <param name="Model">The ONNX bytes to build the session from.</param>
/// <param name="Description">How it was made, for status and logs.</param>
/// <param name="Source">Where it came from.</param>
/// <param name="Key">The cache key it serves under (for a previous plan: the key a re-plan will store under).</param>
public sealed record PlannedModel(PlanSettings Settings, byte[] Model, string Description, PlanSource Source, PlanCacheKey Key);
