using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Pruning;

/// <summary>
/// Removes graph inputs that nothing reads (after output pruning, a deployment often needs fewer inputs).
/// <code>
/// before:  inputs: [input_ids, attention_mask, token_type_ids]   token_type_ids read by nobody
/// after:   inputs: [input_ids, attention_mask]
/// </code>
/// Exact for the outputs; it changes the interface, so callers must feed only the inputs the optimised
/// model lists (the serving layer does). Top-level graph only: a subgraph's inputs are its operator's contract.
/// </summary>
public sealed class RemoveUnusedInputs : GraphPass
{
    public override string Name => "remove-unused-inputs";

    public override PassKind Kind => PassKind.Prune;

    public override OptimizationLevel Level => OptimizationLevel.O3;

    public override string Description => "Removes top-level graph inputs that nothing reads.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var unused = model.Graph.Inputs.Where(v => v.Initializer is null && !v.IsUsed).ToList();
        foreach (var input in unused)
        {
            model.Graph.RemoveValue(input);
            context.Log?.Invoke($"removed unused input '{input.Name}'");
        }

        return unused.Count > 0;
    }
}
