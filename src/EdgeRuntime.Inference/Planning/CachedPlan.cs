using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Inference.Planning;

/// <summary>
/// A plan as the plan store keeps it (<c>plan.json</c>): the <see cref="ExecutionPlan"/> record (cache key, the plan
/// file's sha256, a description) and the settings the session is built with. The lead's merge may fold
/// <see cref="Settings"/> into <see cref="ExecutionPlan"/>.
/// </summary>
/// <param name="Plan">The key, the plan file's content hash and a description.</param>
/// <param name="Settings">How the session runs.</param>
/// <param name="SearchSeconds">How long the search took.</param>
public sealed record CachedPlan(ExecutionPlan Plan, PlanSettings Settings, double SearchSeconds);
