using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Testing.Fuzzing;

/// <summary>
/// Turns a model file (a case from a bug report) into a fuzz case with input sets of its own, chosen without the
/// optimiser's verifier: every free dimension at 1, 2, distinct sizes and 64; integer scalars at every value from −12
/// to 12 and at ±(2^40 + 3); booleans both ways; overridable initializers perturbed; keeping the sets the original
/// accepts. Outputs dequantised by DequantizeLinear are compared within one step, outputs of random operators by type,
/// shape and variation.
/// </summary>
public static class CaseFeeds
{
    private static readonly SessionSettings Reference = new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpThreads = 1 };

    /// <summary>The case for <paramref name="path"/>, expecting a refusal when it has a non-tensor input or output.</summary>
    public static FuzzCase Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var model = OnnxModelReader.Read(bytes, Path.GetFileName(path), null);
        var refuse = model.Graph.Inputs.Any(i => i.Initializer is null && i.Type is not TensorType) || model.Graph.Outputs.Any(o => o.Type is OpaqueValueType);
        var feeds = refuse ? [] : Accepted(bytes, Candidates(model));
        var quantised = model.Graph.Outputs.Where(o => o.Producer is { } p && p.Is("DequantizeLinear") && p.Input(1)?.Initializer is not null)
            .GroupBy(o => o.Name).ToDictionary(g => g.Key, g => g.First().Producer!.Input(1)!.Initializer!.ToDoubleArray().Max(Math.Abs), StringComparer.Ordinal);
        var random = model.Graph.Outputs.Where(Random).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        return new FuzzCase(0, bytes, feeds, quantised, random, refuse, [Path.GetFileName(path)]);
    }

    private static bool Random(Value output)
    {
        var seen = new HashSet<Value>();
        var pending = new Stack<Value>([output]);
        while (pending.TryPop(out var value))
        {
            if (seen.Add(value) && value.Producer is { } node)
            {
                if (!OperatorPurity.IsPure(node))
                {
                    return true;
                }

                foreach (var read in Graph.Ir.Graph.ValuesRead(node))
                {
                    pending.Push(read);
                }
            }
        }

        return false;
    }

    private static List<FuzzFeed> Candidates(Model model)
    {
        var data = model.Graph.Inputs.Where(i => i.Initializer is null && i.TensorType is not null).ToList();
        var symbols = data.SelectMany(i => i.TensorType!.Shape?.Dims.Select((d, axis) => (d, axis, i)) ?? [])
            .Where(p => !p.d.IsKnown).Select(p => p.d.Symbol ?? $"{p.i.Name}[{p.axis}]").Distinct().ToList();
        var sizeSets = new List<(string Label, Func<int, long> Size)>
        {
            ("free dimensions 2", _ => 2),
            ("free dimensions 1", _ => 1),
            ("free dimensions distinct", k => new long[] { 3, 5, 7, 11 }[k % 4]),
            ("free dimensions 64", _ => 64),
        };
        var feeds = new List<FuzzFeed>();
        var seed = 0;
        foreach (var (label, size) in symbols.Count == 0 ? sizeSets.Take(1) : sizeSets)
        {
            feeds.Add(new FuzzFeed(label, Make(model, data, symbols, size, null, null, perturb: false, ++seed)));
        }

        var integerScalars = data.Where(i => i.TensorType!.Shape is { Rank: 0 } && i.TensorType.ElementType is DataType.Int64 or DataType.Int32).ToList();
        foreach (var input in integerScalars)
        {
            foreach (var value in Enumerable.Range(-12, 25).Select(v => (long)v).Concat([(1L << 40) + 3, -(1L << 40) - 3]))
            {
                feeds.Add(new FuzzFeed($"{input.Name} = {value}", Make(model, data, symbols, sizeSets[0].Size, (input, value), null, perturb: false, ++seed)));
            }
        }

        if (data.Any(i => i.TensorType!.ElementType == DataType.Bool))
        {
            feeds.Add(new FuzzFeed("booleans true", Make(model, data, symbols, sizeSets[0].Size, null, true, perturb: false, ++seed)));
            feeds.Add(new FuzzFeed("booleans false", Make(model, data, symbols, sizeSets[0].Size, null, false, perturb: false, ++seed)));
        }

        if (model.IrVersion >= 4 && model.Graph.Inputs.Any(i => i.Initializer is not null))
        {
            feeds.Add(new FuzzFeed("overridable initializers perturbed", Make(model, data, symbols, sizeSets[0].Size, null, null, perturb: true, ++seed)));
        }

        return feeds;
    }

    private static Dictionary<string, Tensor> Make(Model model, List<Value> data, List<string> symbols, Func<int, long> size, (Value Input, long Value)? integer, bool? flag, bool perturb, int seed)
    {
        var random = new Random(seed);
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var input in data)
        {
            var type = input.TensorType!;
            var dims = type.Shape?.Dims.Select((d, axis) => d.Value ?? size(symbols.IndexOf(d.Symbol ?? $"{input.Name}[{axis}]"))).ToArray() ?? [];
            var count = dims.Aggregate(1L, (a, b) => a * b);
            inputs[input.Name] = type.ElementType switch
            {
                DataType.Float => Tensor.From<float>([.. Enumerable.Range(0, (int)count).Select(_ => (float)((random.NextDouble() * 2) - 1))], dims),
                DataType.Double => Tensor.From<double>([.. Enumerable.Range(0, (int)count).Select(_ => (random.NextDouble() * 2) - 1)], dims),
                DataType.Bool => Tensor.From<bool>([.. Enumerable.Range(0, (int)count).Select(_ => flag ?? random.Next(2) == 1)], dims),
                DataType.Int64 => Tensor.From<long>([.. Enumerable.Range(0, (int)count).Select(_ => integer?.Input == input ? integer.Value.Value : random.NextInt64(0, 4))], dims),
                DataType.Int32 => Tensor.From<int>([.. Enumerable.Range(0, (int)count).Select(_ => integer?.Input == input ? (int)integer.Value.Value : random.Next(0, 4))], dims),
                _ => Inference.Verification.InputGenerator.Filled(type.ElementType, dims, 0),
            };
        }

        if (perturb)
        {
            foreach (var initializer in model.Graph.Inputs.Where(i => i.Initializer is { ElementType: DataType.Float }))
            {
                inputs[initializer.Name] = Tensor.From<float>([.. initializer.Initializer!.AsSpan<float>().ToArray().Select(v => (v * 1.5f) + (float)(random.NextDouble() - 0.5))], [.. initializer.Initializer.Dims]);
            }
        }

        return inputs;
    }

    /// <summary>The input sets the original runs on (a size its operators cannot take is no value the original accepts).</summary>
    private static List<FuzzFeed> Accepted(byte[] model, List<FuzzFeed> candidates)
    {
        try
        {
            using var session = ModelSession.Create(model, Reference);
            return [.. candidates.Where(feed =>
            {
                try
                {
                    session.Run(feed.Inputs.Where(i => session.FeedNames.Contains(i.Key)).ToDictionary(StringComparer.Ordinal));
                    return true;
                }
                catch (OnnxRuntimeException)
                {
                    return false;
                }
            })];
        }
        catch (OnnxRuntimeException)
        {
            return candidates;
        }
    }
}
