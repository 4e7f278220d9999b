using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>y = Σᵢ aᵢ (variadic, broadcasting from opset 8): ∂aᵢ = Σ_broadcast ∂y.</summary>
internal sealed class SumGradient : GradientRule
{
    public override string OpType => "Sum";

    public override bool IsDifferentiable(Node node, int index) => true;

    public override void Emit(GradientContext context)
    {
        var resultShape = context.Emit.ShapeOf(context.Output);
        for (var i = 0; i < context.Node.Inputs.Count; i++)
        {
            if (context.Wants(i))
            {
                context.Set(i, context.Emit.ReduceTo(context.Gradient, resultShape, context.Input(i)));
            }
        }
    }
}
