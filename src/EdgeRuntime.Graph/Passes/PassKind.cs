namespace EdgeRuntime.Graph.Passes;

/// <summary>What a pass does to a graph.</summary>
public enum PassKind
{
    /// <summary>Removes what does not contribute to the outputs.</summary>
    Prune,

    /// <summary>Computes at optimisation time what would otherwise be computed on every run.</summary>
    Fold,

    /// <summary>Replaces a group of nodes by one that does the same work in fewer steps.</summary>
    Fuse,

    /// <summary>Changes the graph's shape (specialised dimensions, moved transposes, split outputs).</summary>
    Restructure,

    /// <summary>Changes the numeric precision (int8, float16): results move by more than rounding, within a tolerance the planner checks.</summary>
    Precision,
}

/// <summary>How hard to optimise. Each level includes the passes of the levels below.</summary>
public enum OptimizationLevel
{
    /// <summary>Nothing: the model as given.</summary>
    O0 = 0,

    /// <summary>Exact clean-ups: pruning and constant folding.</summary>
    O1 = 1,

    /// <summary>Plus fusions (weights are refolded, so results move within float rounding).</summary>
    O2 = 2,

    /// <summary>Plus restructuring and operator fusions that target the execution provider's fused kernels.</summary>
    O3 = 3,
}
