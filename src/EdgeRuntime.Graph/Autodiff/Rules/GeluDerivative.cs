using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// dGELU/dx (Hendrycks and Gimpel, "Gaussian Error Linear Units", 2016). Exact: GELU(x) = x·Φ(x), so
/// d/dx = Φ(x) + x·φ(x) with Φ(x) = ½(1 + erf(x/√2)) and φ(x) = e^(−x²/2)/√(2π). Tanh approximation:
/// GELU(x) ≈ ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), so d/dx = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh u.
/// </summary>
internal static class GeluDerivative
{
    private const double Cubic = 0.044715;

    public static Value Exact(GradientEmitter emit, Value x, DataType type)
    {
        emit.Require(9, "Erf (for GELU's gradient)");
        var cdf = emit.Mul(emit.Scalar(0.5, type), emit.Add(emit.Scalar(1, type), emit.Op("Erf", [emit.Mul(x, emit.Scalar(1 / Math.Sqrt(2), type))])));
        var pdf = emit.Mul(emit.Exp(emit.Mul(emit.Mul(x, x), emit.Scalar(-0.5, type))), emit.Scalar(1 / Math.Sqrt(2 * Math.PI), type));
        return emit.Add(cdf, emit.Mul(x, pdf));
    }

    public static Value Tanh(GradientEmitter emit, Value x, DataType type)
    {
        var root = Math.Sqrt(2 / Math.PI);
        var square = emit.Mul(x, x);
        var u = emit.Mul(emit.Scalar(root, type), emit.Add(x, emit.Mul(emit.Scalar(Cubic, type), emit.Mul(square, x))));
        var t = emit.Op("Tanh", [u]);
        var half = emit.Scalar(0.5, type);
        var du = emit.Mul(emit.Scalar(root, type), emit.Add(emit.Scalar(1, type), emit.Mul(emit.Scalar(3 * Cubic, type), square)));
        var first = emit.Mul(half, emit.Add(emit.Scalar(1, type), t));
        var second = emit.Mul(emit.Mul(half, x), emit.Mul(emit.Sub(emit.Scalar(1, type), emit.Mul(t, t)), du));
        return emit.Add(first, second);
    }
}
