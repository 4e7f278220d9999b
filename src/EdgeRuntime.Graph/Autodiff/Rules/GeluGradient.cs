namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>ONNX Gelu (opset 20; approximate "none" or "tanh"): ∂x = ∂y·GELU′(x) (see <see cref="GeluDerivative"/>).</summary>
internal sealed class GeluGradient : GradientRule
{
    public override string OpType => "Gelu";

    public override void Emit(GradientContext context)
    {
        var x = context.Input(0);
        var derivative = context.Node.GetString("approximate", "none") switch
        {
            "none" => GeluDerivative.Exact(context.Emit, x, context.ElementType),
            "tanh" => GeluDerivative.Tanh(context.Emit, x, context.ElementType),
            var other => throw context.Fail($"unknown approximate='{other}'"),
        };
        context.Set(0, context.Emit.Mul(context.Gradient, derivative));
    }
}
