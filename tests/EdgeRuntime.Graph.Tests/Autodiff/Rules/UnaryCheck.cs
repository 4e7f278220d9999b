using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Rules;

/// <summary>Checks an element-wise operator on one parameter of shape [2, 3, 4] against finite differences.</summary>
internal static class UnaryCheck
{
    /// <summary>
    /// Float64 models use ONNX Runtime as the reference (tolerance 1e-7: FD error ≈ 1e-10 at h = 1e-6); float32 models
    /// (operators ONNX Runtime lacks in double) use the C# float64 evaluator (tolerance 1e-4: float32 rounding of the
    /// analytic gradient is near 1e-7 relative).
    /// </summary>
    public static void Run(string opType, Ir.Attribute[] attributes, DataType type = DataType.Double, long opset = 17, bool awayFromZero = false, double low = -1, double high = 1, string domain = "")
    {
        var model = new TestModel(opset, type);
        var x = awayFromZero ? model.ParamAwayFromZero("x", 2, 3, 4) : model.Param("x", [2, 3, 4], low, high);
        var y = domain.Length == 0 ? model.Op(opType, [x], attributes) : model.OpIn(domain, opType, [x], attributes);

        // Shape inference knows only ai.onnx; an exporter declares a contrib operator's output type (value_info).
        y.Type ??= x.Type;
        model.Output(y);
        var options = type == DataType.Double
            ? new GradientCheck.Options { Tolerance = 1e-7 }
            : new GradientCheck.Options { Reference = Reference.CSharp, Tolerance = 1e-4, LossTolerance = 1e-5 };
        GradientCheck.Run(model, options);
    }
}
