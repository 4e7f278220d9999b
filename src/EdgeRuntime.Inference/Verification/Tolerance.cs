using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Inference.Verification;

/// <summary>
/// How close an optimised output must stay: |expected − actual| ≤ Absolute + Relative · max|expected|, element by
/// element. Relative to the output's largest magnitude, not each element's, so values near zero do not make
/// rounding look like a failure.
/// </summary>
/// <param name="Absolute">Allowed absolute difference.</param>
/// <param name="Relative">Allowed difference as a share of the output's largest magnitude.</param>
public sealed record Tolerance(double Absolute, double Relative)
{
    /// <summary>Defaults per element type: float32 1e-5 + 1e-4·scale; float16/bfloat16 1e-3 + 1e-2·scale; double 1e-9 + 1e-7·scale; exact otherwise.</summary>
    public static Tolerance For(DataType type) => type switch
    {
        DataType.Float => new Tolerance(1e-5, 1e-4),
        DataType.Double => new Tolerance(1e-9, 1e-7),
        DataType.Float16 or DataType.BFloat16 => new Tolerance(1e-3, 1e-2),
        _ when DataTypes.IsFloatingPoint(type) => new Tolerance(1e-2, 1e-1),
        _ => new Tolerance(0, 0),
    };
}
