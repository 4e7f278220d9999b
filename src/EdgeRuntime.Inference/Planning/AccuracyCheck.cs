using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Inference.Planning;

/// <summary>How one candidate's outputs compare with the float32 original's over all verification samples.</summary>
/// <param name="WithinTolerance">Whether every output met the tolerance of the candidate's precision on every sample.</param>
/// <param name="MaxRelativeError">Largest |expected − actual| over an output's largest |expected|, over outputs and samples.</param>
/// <param name="MinCosine">Lowest cosine similarity of an output with the original's, over outputs and samples (1 = same direction).</param>
/// <param name="MeanCosine">Mean of the per-sample cosine similarities, over outputs and samples.</param>
/// <param name="Problem">Why it is outside tolerance, in one line; null when within.</param>
public sealed record AccuracyResult(bool WithinTolerance, double MaxRelativeError, double MinCosine, double MeanCosine, string? Problem)
{
    /// <summary>The error the objective weighs: 1 − the lowest cosine (0 for identical outputs).</summary>
    public double Error => Math.Max(0, 1 - MinCosine);
}

/// <summary>Compares a candidate's outputs with the original's (pure; the plan search runs both sessions).</summary>
public static class AccuracyCheck
{
    /// <summary>
    /// Holds <paramref name="actual"/> to <paramref name="expected"/> (per sample, outputs by name) under the tolerance of
    /// <paramref name="precision"/>: float rounding element by element for float32, direction and worst element for
    /// reduced precision (<see cref="PlanTolerance"/>). Integer and boolean outputs must be equal in every precision.
    /// </summary>
    public static AccuracyResult Compare(IReadOnlyList<IReadOnlyDictionary<string, Tensor>> expected, IReadOnlyList<IReadOnlyDictionary<string, Tensor>> actual, PlanPrecision precision, PlanTolerance tolerance)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(tolerance);
        double maxRelative = 0, minCosine = 1, cosineSum = 0;
        var cosines = 0;
        string? problem = null;
        for (var s = 0; s < expected.Count; s++)
        {
            foreach (var (name, e) in expected[s])
            {
                if (!actual[s].TryGetValue(name, out var a))
                {
                    problem ??= $"output '{name}' is missing";
                    continue;
                }

                if (e.ElementType != a.ElementType || !e.Dims.SequenceEqual(a.Dims))
                {
                    problem ??= $"output '{name}' changed from {e} to {a}";
                    continue;
                }

                if (!DataTypes.IsFloatingPoint(e.ElementType))
                {
                    if (!e.ContentEquals(a))
                    {
                        problem ??= $"output '{name}' ({DataTypes.Name(e.ElementType)}) differs on sample {s}";
                    }

                    continue;
                }

                var (relative, cosine, elementProblem) = Measure(e, a, precision, tolerance);
                maxRelative = Math.Max(maxRelative, relative);
                minCosine = Math.Min(minCosine, cosine);
                cosineSum += cosine;
                cosines++;
                if (elementProblem is not null)
                {
                    problem ??= $"output '{name}' sample {s}: {elementProblem}";
                }
            }
        }

        return new AccuracyResult(problem is null, maxRelative, minCosine, cosines == 0 ? 1 : cosineSum / cosines, problem);
    }

    private static (double Relative, double Cosine, string? Problem) Measure(Tensor expected, Tensor actual, PlanPrecision precision, PlanTolerance tolerance)
    {
        var x = expected.ToDoubleArray();
        var y = actual.ToDoubleArray();
        var scale = x.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        var rounding = PlanTolerance.Rounding(expected.ElementType);
        double maxDiff = 0, dot = 0, nx = 0, ny = 0;
        string? problem = null;
        for (var i = 0; i < x.Length; i++)
        {
            if (x[i].Equals(y[i]))
            {
                dot += double.IsFinite(x[i]) ? x[i] * y[i] : 0;
                nx += double.IsFinite(x[i]) ? x[i] * x[i] : 0;
                ny += double.IsFinite(y[i]) ? y[i] * y[i] : 0;
                continue;
            }

            var diff = Math.Abs(x[i] - y[i]);
            if (double.IsNaN(diff))
            {
                return (double.PositiveInfinity, 0, $"element {i} is {y[i]:G6} instead of {x[i]:G6}");
            }

            maxDiff = Math.Max(maxDiff, diff);
            if (PlanTolerance.IsExactPrecision(precision) && diff > rounding.Absolute + (rounding.Relative * scale))
            {
                problem ??= $"element {i} is {y[i]:G6} instead of {x[i]:G6} (float rounding allows {rounding.Absolute:G2} + {rounding.Relative:G2}·{scale:G4})";
            }

            dot += x[i] * y[i];
            nx += x[i] * x[i];
            ny += y[i] * y[i];
        }

        var relative = scale > 0 ? maxDiff / scale : maxDiff;
        var cosine = nx == 0 && ny == 0 ? 1 : nx == 0 || ny == 0 ? 0 : dot / Math.Sqrt(nx * ny);
        if (!PlanTolerance.IsExactPrecision(precision))
        {
            if (cosine < tolerance.MinimumCosine)
            {
                problem ??= $"cosine similarity {cosine:0.0000} < {tolerance.MinimumCosine:0.00}";
            }
            else if (relative > tolerance.MaximumRelativeError)
            {
                problem ??= $"largest error {relative:0.000} of the output's scale > {tolerance.MaximumRelativeError:0.00}";
            }
        }

        return (relative, cosine, problem);
    }
}
