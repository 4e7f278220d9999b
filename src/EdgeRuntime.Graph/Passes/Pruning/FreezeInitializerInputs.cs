using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Pruning;

/// <summary>
/// Turns initializers that the model also lists as graph inputs into plain constants.
/// <code>
/// before:  inputs: [image, conv.weight]   initializers: [conv.weight]   (weight overridable at run time)
/// after:   inputs: [image]                initializers: [conv.weight]   (weight constant)
/// </code>
/// Before IR 4 every initializer had to be listed as a graph input (CNTK, old exporters), so the listing says
/// nothing about intent and ONNX Runtime must still treat the weights as overridable, which stops it folding or
/// fusing them; freezing them is then exact. From IR 4 on, an initializer listed as an input is a default the caller
/// may override (ONNX IR spec, "Graphs"): it is frozen only when the deployment says it never feeds one
/// (<see cref="PassContext.FreezeInitializerInputs"/>); otherwise it stays an input and nothing folds it. Frozen
/// ones that nothing reads go.
/// Preserved initializers (<see cref="PassContext.PreservedInitializers"/>) stay inputs.
/// </summary>
public sealed class FreezeInitializerInputs : GraphPass
{
    public override string Name => "freeze-initializer-inputs";

    public override PassKind Kind => PassKind.Prune;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override bool RewritesInitializers => true;

    public override string Description => "Makes initializers listed as graph inputs constant, so they can be folded and fused: always before IR 4, on request (--freeze-initializer-inputs) after.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        if (model.IrVersion >= 4 && !context.FreezeInitializerInputs)
        {
            return false;
        }

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
