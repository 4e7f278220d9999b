using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Pruning;

/// <summary>
/// Turns initializers that the model also lists as graph inputs into plain constants.
/// <code>
/// before:  inputs: [image, conv.weight]   initializers: [conv.weight]   (weight overridable at run time)
/// after:   inputs: [image]                initializers: [conv.weight]   (weight constant)
/// </code>
/// Exporters before IR 4 (CNTK, old PyTorch) list every weight as an input; a runtime must then assume a
/// caller may replace it and cannot fold or fuse it. A deployed model's weights are never fed by callers, so
/// freezing them computes the same outputs for every call that does not override a weight. Unused ones go.
/// Preserved initializers (<see cref="PassContext.PreservedInitializers"/>) stay inputs.
/// </summary>
public sealed class FreezeInitializerInputs : GraphPass
{
    public override string Name => "freeze-initializer-inputs";

    public override PassKind Kind => PassKind.Prune;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override bool RewritesInitializers => true;

    public override string Description => "Makes initializers listed as graph inputs (pre-IR-4 exporters) constant, so they can be folded and fused.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var overridable = graph.Inputs.Where(v => v.Initializer is not null && !context.IsPreserved(v)).ToList();
        foreach (var initializer in overridable)
        {
            graph.MakeConstant(initializer);
            if (!initializer.IsUsed)
            {
                graph.RemoveValue(initializer);
            }
        }

        if (overridable.Count > 0 && model.IrVersion < 4)
        {
            // IR 3 requires every initializer to be an input; IR 4 is the first version where they need not be.
            model.IrVersion = 4;
        }

        return overridable.Count > 0;
    }
}
