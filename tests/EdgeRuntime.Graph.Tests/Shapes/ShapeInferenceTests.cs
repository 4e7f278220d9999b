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

    [Theory]
    [InlineData(4, -100, -100, -1, 0, 1)]
    [InlineData(4, long.MinValue, long.MaxValue, -1, 0, 1)]
    [InlineData(4, 100, long.MinValue, -1, 3, 4)]
    [InlineData(4, long.MaxValue, long.MinValue, -3, 3, 2)]
    [InlineData(4, -1, long.MaxValue, 1, 3, 1)]
    [InlineData(0, 0, 5, -1, 0, 0)]
    public void SliceRange_NegativeStepsAndExtremeBounds_AsOnnxRuntimeComputes(long size, long start, long end, long step, long first, long count) =>
        Assert.Equal((first, count), EdgeRuntime.Graph.Shapes.Rules.IndexingRules.SliceRange(size, start, end, step));

    [Fact]
    public void Run_SqueezeWithoutAxesOnSymbolicDimension_RankUnknown()
    {
        // [1, T, 4] squeezes to [T, 4] or, when T is 1, to [4]: nothing about the rank is known.
        var (model, graph) = Passes.CodeModels.New(opset: 11);
        var x = graph.AddInput("x", new TensorType(DataType.Float, new TensorShape([Dim.Known(1), Dim.Symbolic("T"), Dim.Known(4)])));
        var squeezed = graph.AddNode("Squeeze", [x]).Output;
        var rank = graph.AddNode("Size", [graph.AddNode("Shape", [squeezed]).Output]).Output;

        var known = ShapeInference.Run(model);

        Assert.Null(squeezed.TensorType!.Shape);
        Assert.False(known.ContainsKey(rank));
    }

    [Fact]
    public void Run_SqueezeWithoutAxesOnKnownShape_DropsTheOnes()
    {
        var (model, graph) = Passes.CodeModels.New(opset: 11);
        var squeezed = graph.AddNode("Squeeze", [Passes.CodeModels.Input(graph, "x", 1, 3, 1, 4)]).Output;
        ShapeInference.Run(model);
        Assert.Equal(TensorShape.Of(3, 4), squeezed.TensorType!.Shape);
    }

    [Theory]
    [InlineData("Div", 0, -7, 2, -3)]
    [InlineData("Div", 0, 7, -2, -3)]
    [InlineData("Mod", 0, -7, 3, 2)]
    [InlineData("Mod", 0, 7, -3, -2)]
    [InlineData("Mod", 1, -7, 3, -1)]
    [InlineData("Div", 0, 9007199254740993, 3, 3002399751580331)]
    [InlineData("Mod", 0, 9007199254740993, 3, 0)]
    [InlineData("Mod", 1, 9007199254740993, 3, 2)]
    public void Run_IntegerShapeArithmetic_AsOnnxRuntimeComputesIt(string op, long fmod, long x, long y, long expected)
    {
        // Truncating division (C++), exact int64; Mod with fmod = 1 goes through doubles in ONNX Runtime, so it rounds above 2^53.
        var (model, graph) = Passes.CodeModels.New();
        var result = graph.AddNode(op, [graph.AddInitializer("x", Tensor.Scalar(x)), graph.AddInitializer("y", Tensor.Scalar(y))], attributes: op == "Mod" ? [Ir.Attribute.FromInt("fmod", fmod)] : []).Output;
        graph.AddOutput(result);

        var known = ShapeInference.Run(model);

        Assert.Equal([expected], known[result].ToInt64Array());
        using var session = ModelSession.Create(OnnxModelWriter.ToBytes(model), new SessionSettings { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL });
        Assert.Equal([expected], session.Run(new Dictionary<string, Tensor>())[result.Name].ToInt64Array());
    }

    [Fact]
    public void Run_IntegerDivisionByZero_LeftToRunTime()
    {
        var (model, graph) = Passes.CodeModels.New();
        var result = graph.AddNode("Div", [graph.AddInitializer("x", Tensor.Scalar(7L)), graph.AddInitializer("y", Tensor.Scalar(0L))]).Output;
        Assert.False(ShapeInference.Run(model).ContainsKey(result));
    }

    [Theory]
    [InlineData("RandomUniformLike", DataType.Double, DataType.Double)]
    [InlineData("RandomNormalLike", null, DataType.Float)]
    [InlineData("Bernoulli", DataType.Int64, DataType.Int64)]
    public void Run_RandomOperatorWithDtype_OutputTypeIsTheDtype(string op, DataType? dtype, DataType expected)
    {
        var (model, graph) = Passes.CodeModels.New(opset: 15);
        var random = graph.AddNode(op, [Passes.CodeModels.Input(graph, "x", 2, 3)], attributes: dtype is { } t ? [Ir.Attribute.FromInt("dtype", (long)t)] : []).Output;
        ShapeInference.Run(model);
        Assert.Equal(new TensorType(expected, TensorShape.Of(2, 3)), random.Type);
    }

    [Fact]
    public void Run_RangeOfInt64AboveTwoTo53_ExactLength()
    {
        var (model, graph) = Passes.CodeModels.New();
        var start = (1L << 53) + 1;
        var range = graph.AddNode("Range", [graph.AddInitializer("s", Tensor.Scalar(start)), graph.AddInitializer("l", Tensor.Scalar(start + 3)), graph.AddInitializer("d", Tensor.Scalar(2L))]).Output;
        ShapeInference.Run(model);
        Assert.Equal(TensorShape.Of(2), range.TensorType!.Shape);
    }
}
