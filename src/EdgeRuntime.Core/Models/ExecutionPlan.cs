namespace EdgeRuntime.Core.Models;

/// <summary>
/// How a model version runs on this device, as a record: the cache key it was made for, the content hash of the plan
/// file (so a damaged plan is never served), and a description for people. Written beside the version as
/// <c>plan.json</c>; a plan whose key or hash does not match is rebuilt from the signed model.
/// </summary>
/// <param name="Key">What the plan depends on.</param>
/// <param name="PlanSha256">The sha256 of the plan's ONNX bytes (lower-case hex).</param>
/// <param name="Description">How it was made: the variant chosen, node counts, the verification, the time it took.</param>
public sealed record ExecutionPlan(PlanCacheKey Key, string PlanSha256, string Description);
