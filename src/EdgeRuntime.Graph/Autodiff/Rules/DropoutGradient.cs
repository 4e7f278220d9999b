using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Autodiff.Rules;

/// <summary>
/// Dropout in inference form is the identity: ∂x = ∂y. A Dropout whose training_mode input (opset 12+) is not the
/// constant false would drop at random in the training graph too, which this rule does not model, so it refuses.
/// </summary>
internal sealed class DropoutGradient : GradientRule
{
    public override string OpType => "Dropout";

    public override void Emit(GradientContext context)
    {
        if (context.Node.Input(2) is { } trainingMode &&
            !(ConstantValues.Of(trainingMode) is { } flag && flag.ToInt64Array().All(v => v == 0)))
        {
            throw context.Fail("training_mode is not the constant false; only Dropout in inference form (the identity) has a gradient rule");
        }

        context.Set(0, context.Gradient);
    }
}
