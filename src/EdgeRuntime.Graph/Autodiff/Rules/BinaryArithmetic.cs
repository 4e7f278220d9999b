using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>Shared by the broadcasting binary operators: both inputs are differentiable; each gradient is reduced back to its operand's shape.</summary>
internal abstract class BinaryArithmetic : GradientRule
{
    public override bool IsDifferentiable(Node node, int index) => index is 0 or 1;

    public override void Emit(GradientContext context)
    {
        var resultShape = context.Emit.ShapeOf(context.Output);
        for (var i = 0; i < 2; i++)
        {
            if (context.Wants(i))
            {
                context.Set(i, context.Emit.ReduceTo(Local(context, i), resultShape, context.Input(i)));
            }
        }
    }

    /// <summary>∂loss/∂input <paramref name="index"/> before the broadcast reduction (shaped like the result).</summary>
    protected abstract Value Local(GradientContext context, int index);
}
