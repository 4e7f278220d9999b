using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Shapes;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Testing.Models;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Graph.Tests.Shapes;

public sealed class ShapeInferenceTests
{
    public static TheoryData<string> RealModels => new(SharedModels.RealModels);

    /// <summary>
    /// Differential: with the inputs fixed to concrete shapes, every shape inference claims to know exactly
    /// must be the shape ONNX Runtime produces for that value.
    /// </summary>
    [Theory]
    [MemberData(nameof(RealModels))]
    public void Run_RealModelWithConcreteInputs_EveryKnownShapeMatchesOnnxRuntime(string modelPath)
    {
        var path = SharedModels.Require(modelPath);
        var model = OnnxModelReader.Read(path);
        var inputs = ModelInputs.For(modelPath, model);
        foreach (var input in model.Graph.Inputs.Where(i => inputs.ContainsKey(i.Name)))
        {
            input.Type = new TensorType(inputs[input.Name].ElementType, inputs[input.Name].Shape);
        }

        ShapeInference.Run(model);

        var candidates = model.Graph.Nodes.SelectMany(n => n.Outputs).OfType<Value>().Where(v => !v.IsGraphOutput).ToList();
        foreach (var value in candidates)
        {
            model.Graph.AddOutput(value);
        }

        using var session = ModelSession.Create(OnnxModelWriter.ToBytes(model), new SessionSettings { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL });
        var actual = session.Run(inputs);
        var checkedCount = 0;
        var all = candidates.Concat(model.Graph.Outputs).Distinct().ToList();
        foreach (var value in all)
        {
            if (value.TensorType?.Shape is { IsFullyKnown: true } inferred && actual.TryGetValue(value.Name, out var tensor))
            {
                Assert.True(inferred.ToArray().SequenceEqual(tensor.Dims), $"{value.Producer} output '{value.Name}': inferred {inferred}, ONNX Runtime produced [{string.Join(",", tensor.Dims)}]");
                Assert.Equal(tensor.ElementType, value.TensorType.ElementType);
                checkedCount++;
            }
        }

        var coverage = (double)checkedCount / Math.Max(1, all.Count);
        TestContext.Current.TestOutputHelper?.WriteLine($"{modelPath}: {checkedCount} of {all.Count} values inferred exactly ({coverage:P0})");
        Assert.True(coverage > 0.9 || modelPath.Contains("silero", StringComparison.Ordinal), $"only {coverage:P0} of the values got a known shape");
    }

    [Fact]
    public void Run_SymbolicBatchAndSequence_CarriedThroughMatMulAndBroadcast()
    {
        var graph = new Ir.Graph("g");
        var x = graph.AddInput("x", new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Symbolic("seq"), Dim.Known(8)])));
        var w = graph.AddInitializer("w", Tensor.From<float>(new float[8 * 4], 8, 4));
        var b = graph.AddInitializer("b", Tensor.From<float>(new float[4], 4));
        var product = graph.AddNode("MatMul", [x, w]).Output;
        var sum = graph.AddNode("Add", [product, b]).Output;
        var model = new Model(graph);
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));

        ShapeInference.Run(model);

        Assert.Equal("float[batch,seq,4]", product.Type!.ToString());
        Assert.Equal("float[batch,seq,4]", sum.Type!.ToString());
    }

    [Theory]
    [InlineData(10, 0, 10, 1, 10)]
    [InlineData(10, -3, 10, 1, 3)]
    [InlineData(10, 0, long.MaxValue, 2, 5)]
    [InlineData(10, 9, -11, -1, 10)]
    [InlineData(10, 5, 2, 1, 0)]
    public void SliceLength_OnnxClampingRules(long size, long start, long end, long step, long expected) =>
        Assert.Equal(expected, EdgeRuntime.Graph.Shapes.Rules.IndexingRules.SliceLength(size, start, end, step));
}
