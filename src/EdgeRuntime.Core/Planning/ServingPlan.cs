namespace EdgeRuntime.Core.Planning;

/// <summary>How one model's serving version actually runs, for the device status.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Version">The serving version.</param>
/// <param name="Provider">The execution provider the session runs on (after any fallback).</param>
/// <param name="Plan">The plan's settings in one line (<see cref="PlanSettings.Describe"/>).</param>
/// <param name="Source">Where the plan came from: "cache", "search" (measured now), "default" (not searched) or "previous" (a re-plan runs in the background).</param>
/// <param name="Note">A fallback or a re-plan in progress, in one line; null when there is none.</param>
public sealed record ServingPlan(string Model, long Version, ExecutionProvider Provider, string Plan, string Source, string? Note = null);
