using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Fusion;

/// <summary>
/// Folds an inference-mode BatchNormalization into the Conv before it.
/// <code>
/// before:  y = BatchNormalization(Conv(x, W, B), γ, β, μ, σ²)
/// after:   y = Conv(x, W', B')      W'[m] = W[m]·k[m],  B'[m] = (B[m] − μ[m])·k[m] + β[m],  k[m] = γ[m] / √(σ²[m] + ε)
/// </code>
/// Exact up to float rounding: BN(z)[m] = (z[m] − μ[m])·k[m] + β[m] is affine per output channel, and a
/// convolution's output channel m is linear in filter m plus bias m. Not applied when the Conv output has
/// another reader (it would then be needed unnormalised), any parameter is not constant, or one is preserved.
/// </summary>
public sealed class FuseConvBatchNorm : GraphPass
{
    public override string Name => "fuse-conv-batchnorm";

    public override PassKind Kind => PassKind.Fuse;

    public override OptimizationLevel Level => OptimizationLevel.O2;

    public override bool RewritesInitializers => true;

    public override string Description => "Folds BatchNormalization into the preceding Conv's weights and bias.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var bn in PassHelpers.AllNodes(model).Where(n => n.Is("BatchNormalization")))
        {
            if (bn.Outputs.Skip(1).Any(o => o is { IsUsed: true }) || bn.GetInt("training_mode", 0) != 0 ||
                bn.Input(0)?.Producer is not { } conv || !conv.Is("Conv") || conv.Output.Uses.Count != 1 || conv.Output.IsGraphOutput || context.ReadsPreserved(conv, bn))
            {
                continue;
            }

            var weight = PassHelpers.Constant(conv.Input(1));
            var bias = conv.Input(2) is null ? null : PassHelpers.Constant(conv.Input(2));
            var gamma = PassHelpers.Constant(bn.Input(1));
            var beta = PassHelpers.Constant(bn.Input(2));
            var mean = PassHelpers.Constant(bn.Input(3));
            var variance = PassHelpers.Constant(bn.Input(4));
            if (weight is null || (conv.Input(2) is not null && bias is null) || gamma is null || beta is null || mean is null || variance is null ||
                !ChannelConstants.CanRefold(weight.ElementType) || weight.Dims.Length < 3)
            {
                continue;
            }

            var channels = weight.Dims[0];
            if (gamma.ElementCount != channels || beta.ElementCount != channels || mean.ElementCount != channels || variance.ElementCount != channels)
            {
                continue;
            }

            var epsilon = bn.GetFloat("epsilon", 1e-5f);
            var k = new double[channels];
            var g = gamma.ToDoubleArray();
            var v = variance.ToDoubleArray();
            for (var m = 0; m < channels; m++)
            {
                k[m] = g[m] / Math.Sqrt(v[m] + epsilon);
            }

            var w = weight.ToDoubleArray();
            var perFilter = w.Length / channels;
            for (var i = 0; i < w.Length; i++)
            {
                w[i] *= k[i / perFilter];
            }

            var b = bias?.ToDoubleArray() ?? new double[channels];
            var mu = mean.ToDoubleArray();
            var shift = beta.ToDoubleArray();
            for (var m = 0; m < channels; m++)
            {
                b[m] = ((b[m] - mu[m]) * k[m]) + shift[m];
            }

            var graph = conv.Owner;
            var newWeight = PassHelpers.AddConstant(graph, $"{conv.Name}_weight_bn", ChannelConstants.FromDoubles(weight.ElementType, w, [.. weight.Dims]));
            var newBias = PassHelpers.AddConstant(graph, $"{conv.Name}_bias_bn", ChannelConstants.FromDoubles(weight.ElementType, b, [channels]));
            var fused = graph.AddNode("Conv", [conv.Input(0), newWeight, newBias], $"{bn.Output.Name}_fused", attributes: conv.Attributes);
            fused.Output.Type = bn.Output.Type;
            graph.ReplaceAllUses(bn.Output, fused.Output);
            graph.RemoveNode(bn);
            graph.RemoveNode(conv);
            context.Touch(fused);
            changed = true;
        }

        return changed;
    }
}
