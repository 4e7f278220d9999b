using EdgeRuntime.Graph.Autodiff;

namespace EdgeRuntime.Graph.Tests.Autodiff;

/// <summary>The loss definitions of docs/learning.md written out in C# float64, independently of the emitted graph.</summary>
internal static class ReferenceLoss
{
    /// <summary>One term's value: s·mean(e), or s·Σw·e / max(Σw, 1e-12) with weights.</summary>
    public static double Term(LossTerm term, RefTensor output, RefTensor target, RefTensor? weights)
    {
        double[] elements;
        if (term.Kind == LossKind.SoftmaxCrossEntropy)
        {
            var classes = (int)output.Dims[^1];
            var rows = output.Data.Length / classes;
            elements = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                var row = output.Data.AsSpan(r * classes, classes);
                var max = double.NegativeInfinity;
                foreach (var v in row)
                {
                    max = Math.Max(max, v);
                }

                double sum = 0;
                foreach (var v in row)
                {
                    sum += Math.Exp(v - max);
                }

                var label = (long)target.Data[r];
                elements[r] = label >= 0 && label < classes ? max + Math.Log(sum) - row[(int)label] : 0;
            }
        }
        else
        {
            elements = [.. output.Data.Zip(target.Data, (y, t) => Element(term, y - t))];
        }

        if (weights is null)
        {
            return term.Scale * elements.Average();
        }

        var total = weights.Data.Sum();
        return term.Scale * elements.Zip(weights.Data, (e, w) => e * w).Sum() / Math.Max(total, 1e-12);
    }

    private static double Element(LossTerm term, double residual) => term.Kind switch
    {
        LossKind.MeanSquaredError => residual * residual,
        LossKind.MeanAbsoluteError => Math.Abs(residual),
        LossKind.Huber => Math.Abs(residual) <= term.HuberDelta
            ? 0.5 * residual * residual
            : term.HuberDelta * (Math.Abs(residual) - (0.5 * term.HuberDelta)),
        _ => throw new ArgumentOutOfRangeException(nameof(term), term.Kind, "not an element-wise loss"),
    };
}
