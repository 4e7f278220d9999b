using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx.Tests;

/// <summary>
/// A branch as a model of its own, given with its IR imported from the message its bytes were written from: the same
/// bytes as <see cref="OnnxSubgraphs.Standalone"/>, the same model as reading those bytes, and later questions about
/// those bytes answered as for any copy of them.
/// </summary>
public sealed class OnnxSubgraphsTests
{
    /// <summary>
    /// x, c, d → If 'outer'(c) { then: x → Relu → r, If 'inner'(d) { then: r → Neg; else: x → Abs } → t; else: x → Neg } → y,
    /// opset 17, a weight in the then branch.
    /// </summary>
    private static byte[] Nested()
    {
        var inner = new NodeProto
        {
            OpType = "If",
            Input = { "d" },
            Output = { "t" },
            Name = "inner",
            Attribute =
            {
                new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = new GraphProto { Name = "inner_then", Output = { Info("n") }, Node = { new NodeProto { OpType = "Neg", Input = { "r" }, Output = { "n" }, Name = "neg_r" } } } },
                new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = new GraphProto { Name = "inner_else", Output = { Info("a") }, Node = { new NodeProto { OpType = "Abs", Input = { "x" }, Output = { "a" }, Name = "abs_x" } } } },
            },
        };
        var then = new GraphProto
        {
            Name = "then",
            DocString = "then graph doc",
            Initializer = { new TensorProto { Name = "w", DataType = 1, Dims = { 2 }, FloatData = { 0.5f, -1.5f } } },
            Output = { Info("s") },
            Node =
            {
                new NodeProto { OpType = "Relu", Input = { "x" }, Output = { "r" }, Name = "relu", DocString = "relu doc" },
                inner,
                new NodeProto { OpType = "Add", Input = { "t", "w" }, Output = { "s" }, Name = "add_w" },
            },
        };
        var otherwise = new GraphProto { Name = "else", Output = { Info("e") }, Node = { new NodeProto { OpType = "Neg", Input = { "x" }, Output = { "e" }, Name = "neg" } } };
        var graph = new GraphProto
        {
            Name = "main",
            Input = { Info("x"), Condition("c"), Condition("d") },
            Output = { Info("y") },
            Node =
            {
                new NodeProto
                {
                    OpType = "If",
                    Input = { "c" },
                    Output = { "y" },
                    Name = "outer",
                    Attribute =
                    {
                        new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then },
                        new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = otherwise },
                    },
                },
            },
        };
        return new ModelProto { IrVersion = 8, OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = 17 } }, Graph = graph }.ToByteArray();
    }

    private static ValueInfoProto Info(string name) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 2 } } } } },
    };

    private static ValueInfoProto Condition(string name) => new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 9, Shape = new TensorShapeProto() } } };

    private static readonly Dictionary<string, DataType> OuterTypes = new(StringComparer.Ordinal) { ["x"] = DataType.Float, ["d"] = DataType.Bool };

    [Fact]
    public void StandaloneModel_Branch_SameBytesAsStandaloneAndSameModelAsReadingThem()
    {
        var model = Nested();

        var (bytes, ir) = OnnxSubgraphs.StandaloneModel(model, "outer", "then_branch", OuterTypes, "branch")!.Value;

        Assert.Equal(OnnxSubgraphs.Standalone(model, "outer", "then_branch", OuterTypes), bytes);
        Assert.Equal(OnnxModelWriter.ToBytes(OnnxModelReader.Read(bytes, "branch", null)), OnnxModelWriter.ToBytes(ir));
        Assert.Equal(["x", "d"], ir.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(["inner"], ir.Graph.Nodes.Where(n => n.Is("If")).Select(n => n.Name));
    }

    [Fact]
    public void StandaloneModel_QuestionsAboutItsBytes_AnsweredAsForAFreshCopy()
    {
        var (bytes, _) = OnnxSubgraphs.StandaloneModel(Nested(), "outer", "then_branch", OuterTypes, "branch")!.Value;
        var copy = bytes.ToArray();
        var types = new Dictionary<string, DataType>(StringComparer.Ordinal) { ["r"] = DataType.Float, ["x"] = DataType.Float };

        Assert.Equal(["r"], OnnxSubgraphs.OuterValues(bytes, "inner", "then_branch")!);
        Assert.Equal(OnnxSubgraphs.OuterValues(copy, "inner", "else_branch"), OnnxSubgraphs.OuterValues(bytes, "inner", "else_branch"));
        Assert.Equal(OnnxSubgraphs.Standalone(copy, "inner", "then_branch", types), OnnxSubgraphs.StandaloneModel(bytes, "inner", "then_branch", types, "inner")!.Value.Bytes);
    }

    [Fact]
    public void StandaloneModel_NoSuchNodeOrBranch_Null()
    {
        var model = Nested();

        Assert.Null(OnnxSubgraphs.StandaloneModel(model, "missing", "then_branch", OuterTypes, "branch"));
        Assert.Null(OnnxSubgraphs.StandaloneModel(model, "outer", "body", OuterTypes, "branch"));
    }

    [Fact]
    public void AppendOutputs_MainGraphValue_ReadAsTheModelWithThatOutputAdded()
    {
        var model = Nested();
        var expected = OnnxModelReader.Read(model, "expected", null);
        expected.Graph.AddOutput(expected.Graph.FindValue("c")!);

        var appended = OnnxSubgraphs.AppendOutputs(model, ["c"]);

        Assert.Equal(model, appended[..model.Length]);
        var read = OnnxModelReader.Read(appended, "appended", null);
        Assert.Equal(["y", "c"], read.Graph.Outputs.Select(o => o.Name));
        Assert.Equal(OnnxModelWriter.ToBytes(expected), OnnxModelWriter.ToBytes(read));
        Assert.Same(model, OnnxSubgraphs.AppendOutputs(model, []));
    }

    [Fact]
    public void Written_Model_SameBytesAsTheWriterAndSameModelAsReadingThem()
    {
        var model = OnnxModelReader.Read(Nested(), "nested", null);

        var (bytes, ir) = OnnxSubgraphs.Written(model, "written");

        Assert.Equal(OnnxModelWriter.ToBytes(model), bytes);
        Assert.Equal(OnnxModelWriter.ToBytes(OnnxModelReader.Read(bytes, "written", null)), OnnxModelWriter.ToBytes(ir));
        Assert.Equal(OnnxSubgraphs.OuterValues(bytes.ToArray(), "outer", "then_branch"), OnnxSubgraphs.OuterValues(bytes, "outer", "then_branch"));
    }

    [Fact]
    public void OuterValues_BytesCheckedKeepingTheParse_AnsweredAsForAFreshCopy()
    {
        var model = Nested();
        var types = new Dictionary<string, DataType>(StringComparer.Ordinal) { ["x"] = DataType.Float, ["d"] = DataType.Bool };

        Assert.Empty(OnnxModelChecker.Check(model, out var read, keepParse: true));

        Assert.NotNull(read);
        var copy = model.ToArray();
        Assert.Equal(OnnxSubgraphs.OuterValues(copy, "outer", "then_branch"), OnnxSubgraphs.OuterValues(model, "outer", "then_branch"));
        Assert.Equal(OnnxSubgraphs.Standalone(copy, "outer", "then_branch", types), OnnxSubgraphs.StandaloneModel(model, "outer", "then_branch", types, "branch")!.Value.Bytes);
    }

    [Fact]
    public void StandaloneModel_SharingMessages_SameBytesAndModelAndTheParentUnchanged()
    {
        var model = Nested();
        var copy = model.ToArray();

        var (bytes, ir) = OnnxSubgraphs.StandaloneModel(model, "outer", "then_branch", OuterTypes, "branch", shareMessages: true)!.Value;

        Assert.Equal(OnnxSubgraphs.Standalone(copy, "outer", "then_branch", OuterTypes), bytes);
        Assert.Equal(OnnxModelWriter.ToBytes(OnnxModelReader.Read(bytes, "branch", null)), OnnxModelWriter.ToBytes(ir));
        Assert.Equal(OnnxSubgraphs.OuterValues(copy, "outer", "then_branch"), OnnxSubgraphs.OuterValues(model, "outer", "then_branch"));
        Assert.Equal(OnnxSubgraphs.Standalone(copy, "outer", "else_branch", OuterTypes), OnnxSubgraphs.Standalone(model, "outer", "else_branch", OuterTypes));
        Assert.Equal(OnnxSubgraphs.Standalone(copy, "outer", "then_branch", OuterTypes), OnnxSubgraphs.Standalone(model, "outer", "then_branch", OuterTypes));
    }

    [Fact]
    public void NodeNamesKept_EachNameUsedOnce_TrueAndFalseOnceANameIsEmptyOrRepeated()
    {
        var model = Nested();
        Assert.True(OnnxSubgraphs.NodeNamesKept(model, OnnxModelReader.Read(model, "nested", null)));

        foreach (var name in new[] { string.Empty, "relu" })
        {
            var proto = ModelProto.Parser.ParseFrom(model);
            proto.Graph.Node[0].Attribute.Single(a => a.Name == "else_branch").G.Node[0].Name = name;
            var changed = proto.ToByteArray();

            Assert.False(OnnxSubgraphs.NodeNamesKept(changed, OnnxModelReader.Read(changed, "changed", null)));
        }
    }
}
