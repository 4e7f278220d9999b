using EdgeRuntime.Graph.Passes.Folding;
using EdgeRuntime.Graph.Passes.Fusion;
using EdgeRuntime.Graph.Passes.Pruning;
using EdgeRuntime.Graph.Passes.Restructuring;

namespace EdgeRuntime.Graph.Passes;

/// <summary>The passes of each optimisation level, in run order. The one place that lists them.</summary>
public static class OptimizationPresets
{
    /// <summary>Every pass EdgeRuntime has, in run order (each knows its own level).</summary>
    public static IReadOnlyList<GraphPass> All { get; } =
    [
        // Restructuring that makes more of the graph constant comes first.
        new SpecializeShapes(),
        new FreezeInitializerInputs(),
        new ConstantsToInitializers(),
        new PruneOutputs(),

        // Exact clean-ups.
        new EliminateIdentity(),
        new EliminateNoOps(),
        new FoldShapeValues(),
        new FoldConstants(),
        new DeduplicateInitializers(),
        new EliminateCommonSubexpressions(),

        // Fusions, once constants are folded and shared.
        new FuseConvBatchNorm(),
        new FuseConvScaleBias(),
        new FuseMatMulAdd(),
        new FuseConsecutiveTransposes(),
        new FuseConsecutiveReshapes(),
        new FuseLayerNormalization(),
        new FuseGelu(),
        new PushTransposesThroughElementwise(),
        new FuseAttention(),

        // Clean up what the rewrites left behind.
        new EliminateDeadNodes(),
        new RemoveUnusedInitializers(),
        new RemoveUnusedInputs(),
    ];

    /// <summary>The passes of <paramref name="level"/>, without those named in <paramref name="skip"/>.</summary>
    /// <exception cref="ArgumentException">A name in <paramref name="skip"/> is not a pass.</exception>
    public static IReadOnlyList<GraphPass> For(OptimizationLevel level, IEnumerable<string>? skip = null)
    {
        var skipped = (skip ?? []).ToHashSet(StringComparer.Ordinal);
        var unknown = skipped.Where(name => All.All(p => p.Name != name)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown pass '{unknown[0]}'; passes: {string.Join(", ", All.Select(p => p.Name))}", nameof(skip));
        }

        return [.. All.Where(p => p.Level <= level && !skipped.Contains(p.Name))];
    }

    /// <summary>The pass called <paramref name="name"/>.</summary>
    public static GraphPass Named(string name) =>
        All.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"unknown pass '{name}'", nameof(name));
}
