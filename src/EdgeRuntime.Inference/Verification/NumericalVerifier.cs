using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Verification;

/// <summary>
/// Proves an optimised model still computes what the original did: both run in ONNX Runtime on the same
/// inputs (the original unoptimised, as the reference; the candidate with the settings it will be deployed
/// with), and every output of the candidate is compared with the original's.
/// </summary>
public sealed class NumericalVerifier
{
    private static readonly SessionSettings Reference = new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };

    /// <summary>Settings the candidate is checked under. Default: ONNX Runtime's full optimisation, as deployed.</summary>
    public SessionSettings CandidateSettings { get; init; } = new();

    /// <summary>Overrides the per-type default tolerance, when set.</summary>
    public Tolerance? Tolerance { get; init; }

    /// <summary>Runs the reference alone; throws when ONNX Runtime cannot run the original on these samples.</summary>
    /// <exception cref="VerificationException">The original fails (bad inputs or shapes for it).</exception>
    public static IReadOnlyList<Dictionary<string, Tensor>> RunReference(byte[] original, IReadOnlyList<IReadOnlyDictionary<string, Tensor>> samples, IReadOnlyList<string>? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        try
        {
            using var session = ModelSession.Create(original, Reference);
            return [.. samples.Select(s => session.Run(s.Where(i => session.InputNames.Contains(i.Key)).ToDictionary(), outputs))];
        }
        catch (OnnxRuntimeException ex)
        {
            throw new VerificationException($"ONNX Runtime cannot run the original model on the verification inputs ({OneLine(ex.Message)}); give --shape for free dimensions or --sample with recorded inputs");
        }
    }

    /// <summary>Compares <paramref name="candidate"/> with precomputed reference outputs.</summary>
    public VerificationReport Verify(byte[] candidate, IReadOnlyList<IReadOnlyDictionary<string, Tensor>> samples, IReadOnlyList<Dictionary<string, Tensor>> expected)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(expected);
        List<Dictionary<string, Tensor>> actual;
        try
        {
            using var session = ModelSession.Create(candidate, CandidateSettings);
            actual = [.. samples.Select(s => session.Run(s.Where(i => session.InputNames.Contains(i.Key)).ToDictionary()))];
        }
        catch (OnnxRuntimeException ex)
        {
            return new VerificationReport(false, samples.Count, [], $"ONNX Runtime cannot run the optimised model: {OneLine(ex.Message)}");
        }

        var comparisons = new List<OutputComparison>();
        foreach (var name in actual[0].Keys)
        {
            if (!expected[0].ContainsKey(name))
            {
                comparisons.Add(new OutputComparison(name, double.NaN, double.NaN, double.NaN, null, false, "the original model has no such output"));
                continue;
            }

            comparisons.Add(Compare(name, [.. expected.Select(e => e[name])], [.. actual.Select(a => a[name])]));
        }

        var failed = comparisons.FirstOrDefault(c => !c.Passed);
        return new VerificationReport(failed is null, samples.Count, comparisons, failed is null ? null : $"output '{failed.Output}': {failed.Problem}");
    }

    private OutputComparison Compare(string name, IReadOnlyList<Tensor> expected, IReadOnlyList<Tensor> actual)
    {
        double maxAbs = 0, maxRel = 0, cosine = 1;
        double? top1 = null;
        string? problem = null;
        for (var s = 0; s < expected.Count; s++)
        {
            var (e, a) = (expected[s], actual[s]);
            if (e.ElementType != a.ElementType || !e.Dims.SequenceEqual(a.Dims))
            {
                return new OutputComparison(name, double.NaN, double.NaN, double.NaN, null, false, $"type or shape changed: {e} became {a}");
            }

            if (!DataTypes.IsFloatingPoint(e.ElementType))
            {
                if (!e.ContentEquals(a))
                {
                    problem ??= $"{DataTypes.Name(e.ElementType)} values differ (sample {s})";
                }

                continue;
            }

            var x = e.ToDoubleArray();
            var y = a.ToDoubleArray();
            // The scale of an output is its largest finite magnitude; infinities are compared for equality alone.
            var scale = x.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
            var tolerance = Tolerance ?? Verification.Tolerance.For(e.ElementType);
            double dot = 0, nx = 0, ny = 0;
            for (var i = 0; i < x.Length; i++)
            {
                if (x[i].Equals(y[i]))
                {
                    // Identical, including equal infinities and NaN against NaN.
                    continue;
                }

                var diff = Math.Abs(x[i] - y[i]);

                if (double.IsNaN(diff) || diff > tolerance.Absolute + (tolerance.Relative * scale))
                {
                    problem ??= $"element {i} of sample {s} is {y[i]:G6} instead of {x[i]:G6} (tolerance {tolerance.Absolute:G2} + {tolerance.Relative:G2}·{scale:G4})";
                }

                maxAbs = Math.Max(maxAbs, double.IsNaN(diff) ? double.PositiveInfinity : diff);
                maxRel = Math.Max(maxRel, scale > 0 ? diff / scale : diff);
                dot += x[i] * y[i];
                nx += x[i] * x[i];
                ny += y[i] * y[i];
            }

            cosine = Math.Min(cosine, nx == 0 && ny == 0 ? 1 : dot / Math.Sqrt(nx * ny));
            if (e.Dims.Length >= 1 && e.Dims[^1] > 1)
            {
                var agreement = Top1(x, y, (int)e.Dims[^1]);
                top1 = Math.Min(top1 ?? 1, agreement);
            }
        }

        return new OutputComparison(name, maxAbs, maxRel, cosine, top1, problem is null, problem);
    }

    private static double Top1(double[] x, double[] y, int width)
    {
        var rows = x.Length / width;
        var agree = 0;
        for (var r = 0; r < rows; r++)
        {
            var slice = r * width;
            agree += ArgMax(x, slice, width) == ArgMax(y, slice, width) ? 1 : 0;
        }

        return rows == 0 ? 1 : (double)agree / rows;
    }

    private static int ArgMax(double[] values, int offset, int count)
    {
        var best = offset;
        for (var i = offset + 1; i < offset + count; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best - offset;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}

/// <summary>Verification could not be carried out (not: the candidate failed it).</summary>
public sealed class VerificationException(string message) : Exception(message);
