using System.Globalization;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Inference.Verification;

/// <summary>Compares one output's tensors, sample by sample, under a tolerance rule; worst case over the samples.</summary>
internal static class OutputComparer
{
    public static OutputComparison Compare(string name, IReadOnlyList<Tensor> expected, IReadOnlyList<Tensor> actual, ToleranceRule rule, IReadOnlyList<string> labels)
    {
        double maxAbs = 0, maxRel = 0, cosine = 1;
        double? top1 = null;
        string? problem = null;
        var tolerance = rule.Tolerance;
        for (var s = 0; s < expected.Count; s++)
        {
            var (e, a) = (expected[s], actual[s]);
            if (e.ElementType != a.ElementType || !e.Dims.SequenceEqual(a.Dims))
            {
                return Failed(name, rule, $"type or shape changed on sample '{labels[s]}': {e} became {a}");
            }

            if (e.ElementType == DataType.String || (!DataTypes.IsFloatingPoint(e.ElementType) && tolerance.Absolute == 0))
            {
                if (!e.ContentEquals(a))
                {
                    problem ??= $"{DataTypes.Name(e.ElementType)} values differ on sample '{labels[s]}'";
                }

                continue;
            }

            var x = e.ToDoubleArray();
            var y = a.ToDoubleArray();

            // The scale of an output is its largest finite magnitude; infinities are compared for equality alone.
            var scale = x.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
            double dot = 0, nx = 0, ny = 0;
            for (var i = 0; i < x.Length; i++)
            {
                if (x[i].Equals(y[i]))
                {
                    // Identical, including equal infinities and NaN against NaN.
                    dot += double.IsFinite(x[i]) ? x[i] * y[i] : 0;
                    nx += double.IsFinite(x[i]) ? x[i] * x[i] : 0;
                    ny += double.IsFinite(y[i]) ? y[i] * y[i] : 0;
                    continue;
                }

                var diff = Math.Abs(x[i] - y[i]);
                if (double.IsNaN(diff) || diff > tolerance.Absolute + (tolerance.Relative * scale))
                {
                    problem ??= string.Create(CultureInfo.InvariantCulture, $"element {i} of sample '{labels[s]}' is {y[i]:G6} instead of {x[i]:G6} (tolerance {rule.Description}: {tolerance.Absolute + (tolerance.Relative * scale):G3})");
                }

                maxAbs = Math.Max(maxAbs, double.IsNaN(diff) ? double.PositiveInfinity : diff);
                maxRel = Math.Max(maxRel, scale > 0 ? diff / scale : diff);
                dot += x[i] * y[i];
                nx += x[i] * x[i];
                ny += y[i] * y[i];
            }

            cosine = Math.Min(cosine, nx == 0 && ny == 0 ? 1 : dot / Math.Sqrt(nx * ny));
            if (DataTypes.IsFloatingPoint(e.ElementType) && e.Dims.Length >= 1 && e.Dims[^1] > 1)
            {
                top1 = Math.Min(top1 ?? 1, Top1(x, y, (int)e.Dims[^1]));
            }
        }

        return new OutputComparison(name, maxAbs, maxRel, cosine, top1, problem is null, problem) { ToleranceApplied = rule.Description };
    }

    public static OutputComparison Failed(string name, ToleranceRule? rule, string problem) =>
        new(name, double.NaN, double.NaN, double.NaN, null, false, problem) { ToleranceApplied = rule?.Description ?? string.Empty };

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
}
