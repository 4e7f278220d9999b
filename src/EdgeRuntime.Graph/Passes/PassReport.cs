using EdgeRuntime.Graph.Cost;

namespace EdgeRuntime.Graph.Passes;

/// <summary>What one pass did over a whole optimisation run.</summary>
/// <param name="Pass">The pass's name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Runs">How often it ran (fixed-point iterations).</param>
/// <param name="Changes">How many of those runs changed the model.</param>
/// <param name="Before">Cost before its first change.</param>
/// <param name="After">Cost after its last change.</param>
/// <param name="Elapsed">Time spent in it, all runs together.</param>
/// <param name="TouchedNodes">Nodes it created or changed.</param>
public sealed record PassReport(string Pass, PassKind Kind, int Runs, int Changes, GraphCost Before, GraphCost After, TimeSpan Elapsed, IReadOnlyList<string> TouchedNodes);

/// <summary>A whole optimisation run: cost before and after, and each pass's share.</summary>
/// <param name="Before">Cost of the model as given.</param>
/// <param name="After">Cost of the optimised model.</param>
/// <param name="Passes">One entry per pass that ran, in first-run order.</param>
/// <param name="Iterations">Fixed-point iterations taken.</param>
public sealed record OptimizationReport(GraphCost Before, GraphCost After, IReadOnlyList<PassReport> Passes, int Iterations);
