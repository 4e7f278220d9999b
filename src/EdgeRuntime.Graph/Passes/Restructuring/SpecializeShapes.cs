using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Restructuring;

/// <summary>
/// Binds the model's free dimensions to the deployment's shapes, so that shape arithmetic becomes constant
/// and folds away, and fusions that need fixed shapes (attention) can match.
/// <code>
/// before:  input_ids : int64[batch, sequence]   … Shape → Gather → Concat → Reshape(x, [?, ?, 12, 32])
/// after:   input_ids : int64[1, 128]            … Reshape(x, [1, 128, 12, 32])      (--shape input_ids=1x128)
/// </code>
/// Exact for inputs of the given shapes, which the optimised model then requires. A symbol bound through one
/// input (batch = 1) binds the same symbol everywhere, other inputs and outputs included.
/// </summary>
public sealed class SpecializeShapes : GraphPass
{
    public override string Name => "specialize-shapes";

    public override PassKind Kind => PassKind.Restructure;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override string Description => "Binds free input dimensions to the deployment shape (--shape), so shape computations fold.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        if (context.InputShapes.Count == 0)
        {
            return false;
        }

        // An input remove-unused-inputs has taken out on an earlier round has nothing left to bind (the request named
        // a real input; ModelOptimizer checks that against the model as given).
        var graph = model.Graph;
        var present = context.InputShapes.Where(p => graph.Inputs.Any(i => i.Name == p.Key)).ToDictionary(StringComparer.Ordinal);
        var symbols = BindSymbols(model, present);

        var changed = false;
        foreach (var value in graph.Inputs.Concat(graph.Outputs).Where(v => v.Initializer is null).Distinct())
        {
            if (value.TensorType is not { } type)
            {
                continue;
            }

            TensorShape? bound = context.InputShapes.TryGetValue(value.Name, out var given) && value.IsGraphInput
                ? TensorShape.Of(given)
                : type.Shape is { } shape ? new TensorShape(shape.Dims.Select(d => d.Symbol is { } s && symbols.TryGetValue(s, out var size) ? Dim.Known(size) : d)) : null;
            if (bound is not null && !bound.Equals(type.Shape))
            {
                value.Type = new TensorType(type.ElementType, bound);
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>
    /// Checks deployment shapes against the model's inputs and returns the sizes they bind symbols to.
    /// </summary>
    /// <exception cref="ArgumentException">An input is unknown or not a tensor, a rank or a fixed size differs, or a symbol gets two sizes; the message names the option.</exception>
    public static IReadOnlyDictionary<string, long> BindSymbols(Model model, IReadOnlyDictionary<string, long[]> shapes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(shapes);
        var graph = model.Graph;
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, dims) in shapes)
        {
            var input = graph.Inputs.FirstOrDefault(i => i.Name == name && i.Initializer is null)
                ?? throw new ArgumentException($"--shape {name}=…: the model has no input '{name}' (inputs: {string.Join(", ", graph.Inputs.Where(i => i.Initializer is null).Select(i => i.Name))})");
            if (input.TensorType is not { } type)
            {
                throw new ArgumentException($"--shape {name}=…: input '{name}' is not a tensor");
            }

            if (type.Shape is { } declared)
            {
                if (declared.Rank != dims.Length)
                {
                    throw new ArgumentException($"--shape {name}={string.Join("x", dims)}: input '{name}' has rank {declared.Rank} ({declared}), not {dims.Length}");
                }

                for (var i = 0; i < dims.Length; i++)
                {
                    var dim = declared.Dims[i];
                    if (dim.Value is { } fixedSize && fixedSize != dims[i])
                    {
                        throw new ArgumentException($"--shape {name}={string.Join("x", dims)}: dimension {i} of input '{name}' is fixed at {fixedSize}");
                    }

                    if (dim.Symbol is { } symbol && !symbols.TryAdd(symbol, dims[i]) && symbols[symbol] != dims[i])
                    {
                        throw new ArgumentException($"--shape: symbol '{symbol}' is bound to both {symbols[symbol]} and {dims[i]}");
                    }
                }
            }
        }

        return symbols;
    }
}
