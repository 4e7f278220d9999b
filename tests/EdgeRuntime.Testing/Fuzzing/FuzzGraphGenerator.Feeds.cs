using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Testing.Fuzzing;

public sealed partial class FuzzGraphGenerator
{
    /// <summary>
    /// Input sets that reach what the generator built: every free dimension at its default, at 1 and large; each
    /// threshold input at t − 1, t and t + 1; flags both ways; initializers a caller may override, perturbed.
    /// </summary>
    private List<FuzzFeed> Feeds()
    {
        if (_expectRefusal)
        {
            return [];
        }

        var feeds = new List<FuzzFeed>
        {
            Feed("default sizes", _symbols.ToDictionary(s => s, s => s == "N" ? 2L : 3L), null, null, perturb: false),
        };
        if (_symbols.Count > 0)
        {
            feeds.Add(Feed("free dimensions 1", _symbols.ToDictionary(s => s, _ => 1L), null, null, perturb: false));
            feeds.Add(Feed("free dimensions large", _symbols.ToDictionary(s => s, s => s == "N" ? 17L : 24L), null, null, perturb: false));
        }

        var defaults = _symbols.ToDictionary(s => s, s => s == "N" ? 2L : 3L);
        if (_inputs.FirstOrDefault(i => i.Kind == InputKind.Threshold) is { } k)
        {
            foreach (var value in k.Thresholds.Distinct().Take(3).SelectMany(t => new[] { t - 1, t, t + 1 }).Distinct())
            {
                feeds.Add(Feed($"{k.Value.Name} = {value}", defaults, value, null, perturb: false));
            }

            feeds.Add(Feed($"{k.Value.Name} large", defaults, (1L << 40) + 3, null, perturb: false));
        }

        if (_inputs.Any(i => i.Kind == InputKind.Flag))
        {
            feeds.Add(Feed("flag true", defaults, null, true, perturb: false));
            feeds.Add(Feed("flag false", defaults, null, false, perturb: false));
        }

        if (IrVersion >= 4 && _inputs.Any(i => i.Value.Initializer is not null))
        {
            feeds.Add(Feed("overridable initializers perturbed", defaults, null, null, perturb: true));
        }

        return feeds;
    }

    private FuzzFeed Feed(string label, IReadOnlyDictionary<string, long> sizes, long? threshold, bool? flag, bool perturb)
    {
        var random = new Random(HashCode.Combine(_seed, label));
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var input in _inputs)
        {
            switch (input.Kind)
            {
                case InputKind.Threshold:
                    inputs[input.Value.Name] = Tensor.Scalar(threshold ?? random.NextInt64(-3, 13));
                    break;
                case InputKind.Flag:
                    inputs[input.Value.Name] = Tensor.Scalar(flag ?? random.Next(2) == 1);
                    break;
                case InputKind.Data when input.Value.Initializer is { } initializer:
                    if (perturb)
                    {
                        inputs[input.Value.Name] = Perturb(initializer, random);
                    }

                    break;
                case InputKind.Data:
                    var dims = input.Dims.Select(d => d.Size ?? sizes[d.Symbol!]).ToArray();
                    var count = dims.Aggregate(1L, (a, b) => a * b);
                    var values = Enumerable.Range(0, (int)count).Select(_ => (random.NextDouble() * 2) - 1).ToArray();
                    inputs[input.Value.Name] = input.Type == DataType.Double ? Tensor.From<double>(values, dims) : Tensor.From<float>([.. values.Select(v => (float)v)], dims);
                    break;
            }
        }

        return new FuzzFeed(label, inputs);
    }

    private static Tensor Perturb(Tensor tensor, Random random) => tensor.ElementType == DataType.Double
        ? Tensor.From<double>([.. tensor.AsSpan<double>().ToArray().Select(v => (v * 1.5) + (random.NextDouble() - 0.5))], [.. tensor.Dims])
        : Tensor.From<float>([.. tensor.AsSpan<float>().ToArray().Select(v => (float)((v * 1.5) + (random.NextDouble() - 0.5)))], [.. tensor.Dims]);
}
