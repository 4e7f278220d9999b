using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes;

/// <summary>
/// One graph rewrite. A pass is small and self-describing: its name, kind and the lowest level that runs it.
/// <see cref="Run"/> returns whether it changed the model; it must leave the IR valid (the pass manager can
/// verify after every pass) and must not change what the model computes beyond float rounding.
/// </summary>
public abstract class GraphPass
{
    /// <summary>The pass's name, as --skip-pass and reports use it (kebab-case).</summary>
    public abstract string Name { get; }

    /// <summary>What kind of rewrite it is.</summary>
    public abstract PassKind Kind { get; }

    /// <summary>The lowest optimisation level that runs it.</summary>
    public abstract OptimizationLevel Level { get; }

    /// <summary>One sentence on what it does.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Whether the pass rewrites, merges, removes, freezes or bakes initializers into other constants (folding, fusing
    /// weights, deduplication, freezing initializer inputs). Such a pass leaves <see cref="PassContext.PreservedInitializers"/> alone.
    /// </summary>
    public virtual bool RewritesInitializers => false;

    /// <summary>Rewrites <paramref name="model"/>; returns whether anything changed.</summary>
    public abstract bool Run(Model model, PassContext context);

    /// <inheritdoc />
    public override string ToString() => Name;
}
