using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Testing.Models;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Tests.Runtime;

/// <summary>Buffers bound to a session once per shape must compute what an ordinary run computes, run after run.</summary>
public sealed class BoundRunTests
{
    [Fact]
    public void EveryInputWritten_GivesWhatAnUnboundRunGives()
    {
        using var session = ModelSession.Create(Affine(), new SessionSettings { IntraOpThreads = 1 });
        var random = new Random(3);
        var bound = session.TryBind("x", [2, 4]);
        Assert.NotNull(bound);

        for (var run = 0; run < 5; run++)
        {
            var input = RandomInput(random);
            input.CopyTo(bound.Input);
            bound.Run();
            var expected = session.RunFloat("x", input, [2, 4]);
            Assert.Equal(expected[0].Values, bound.Outputs[0].Values);
            Assert.Equal([2L, 3L], bound.Outputs[0].Shape);
        }
    }

    [Fact]
    public void DeclaredOutputShape_BindsWithoutAnObservedRun()
    {
        using var session = ModelSession.Create(Affine());

        var bound = session.TryBind("x", [5, 4]);

        Assert.NotNull(bound);
        Assert.Equal([5L, 3L], bound.Outputs[0].Shape);
        Assert.Equal(20, bound.Input.Length);
    }

    [Fact]
    public void OutputWhoseShapeFollowsTheValues_BoundRunFailsAndAnUnboundRunStillAnswers()
    {
        using var session = ModelSession.Create(CodeBuiltModels.RangeOfSum());
        float[] three = [1, 2];
        var observed = session.RunFloat("x", three, [1, 2]);

        // The output's length is declared nowhere: it can be bound only after a run has shown it.
        Assert.Null(session.TryBind("x", [1, 2]));
        var bound = session.TryBind("x", [1, 2], [.. observed.Select(o => o.Shape)]);
        Assert.NotNull(bound);

        float[] fourish = [2, 1.5f];
        fourish.CopyTo(bound.Input);

        Assert.Throws<OnnxRuntimeException>(bound.Run);
        Assert.Equal([0f, 1f, 2f, 3f], session.RunFloat("x", fourish, [1, 2])[0].Values);
    }

    private static float[] RandomInput(Random random) => [.. Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble())];

    // x [batch, 4] → x · W [4, 3], the output declared [batch, 3].
    private static byte[] Affine()
    {
        var graph = new Graph.Ir.Graph("affine");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var x = graph.AddInput("x", new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Known(4)])));
        var w = graph.AddInitializer("w", Tensor.From<float>([.. Enumerable.Range(0, 12).Select(i => i * 0.25f)], [4, 3]));
        var y = graph.AddNode("MatMul", [x, w], ["y"]).Outputs[0]!;
        y.Type = new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Known(3)]));

        graph.AddOutput(y);
        return OnnxModelWriter.ToBytes(model);
    }
}
