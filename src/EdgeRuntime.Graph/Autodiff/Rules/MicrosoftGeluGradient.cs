namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>ONNX Runtime's com.microsoft.Gelu (the exact, erf form): ∂x = ∂y·(Φ(x) + x·φ(x)).</summary>
internal sealed class MicrosoftGeluGradient : GradientRule
{
    public override string OpType => "Gelu";

    public override string Domain => "com.microsoft";

    public override void Emit(GradientContext context) =>
        context.Set(0, context.Emit.Mul(context.Gradient, GeluDerivative.Exact(context.Emit, context.Input(0), context.ElementType)));
}
