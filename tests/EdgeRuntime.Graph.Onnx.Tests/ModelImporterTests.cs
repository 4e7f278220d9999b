using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx.Tests;

/// <summary>
/// What the importer keeps beside the IR (doc strings and fields it does not model, at every level) survives a read
/// and a write, and reading a parsed proto leaves it as it was (the structural check reads the proto it checked).
/// </summary>
public sealed class ModelImporterTests
{
    /// <summary>x → If(c) { then: x → Relu (doc strings on node, attribute, subgraph) else: x → Neg } → y, opset 17.</summary>
    private static ModelProto WithDocStrings()
    {
        var then = new GraphProto
        {
            Name = "then",
            DocString = "then graph doc",
            Output = { Info("t") },
            Node = { new NodeProto { OpType = "Relu", Input = { "x" }, Output = { "t" }, Name = "relu", DocString = "relu doc" } },
        };
        var otherwise = new GraphProto
        {
            Name = "else",
            Output = { Info("e") },
            Node = { new NodeProto { OpType = "Neg", Input = { "x" }, Output = { "e" }, Name = "neg" } },
        };
        var graph = new GraphProto
        {
            Name = "main",
            DocString = "main graph doc",
            Input = { Info("x"), new ValueInfoProto { Name = "c", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 9, Shape = new TensorShapeProto() } } } },
            Output = { Info("y") },
            Node =
            {
                new NodeProto
                {
                    OpType = "If",
                    Input = { "c" },
                    Output = { "y" },
                    Name = "if",
                    DocString = "if doc",
                    Attribute =
                    {
                        new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then, DocString = "then attribute doc" },
                        new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = otherwise },
                    },
                },
            },
        };
        return new ModelProto { IrVersion = 8, DocString = "model doc", OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = 17 } }, Graph = graph };
    }

    private static ValueInfoProto Info(string name) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 2 } } } } },
    };

    [Fact]
    public void Import_ParsedProto_LeavesItUnchanged()
    {
        var bytes = WithDocStrings().ToByteArray();
        var proto = OnnxModelReader.Parse(bytes, OnnxReadOptions.Default);

        OnnxModelReader.Import(proto, "model", null, OnnxReadOptions.Default);

        Assert.Equal(bytes, proto.ToByteArray());
    }

    [Fact]
    public void ReadWrite_DocStringsAtEveryLevel_Kept()
    {
        var written = ModelProto.Parser.ParseFrom(OnnxModelWriter.ToBytes(OnnxModelReader.Read(WithDocStrings().ToByteArray(), "model", null)));

        Assert.Equal("model doc", written.DocString);
        Assert.Equal("main graph doc", written.Graph.DocString);
        var node = Assert.Single(written.Graph.Node);
        Assert.Equal("if doc", node.DocString);
        var then = node.Attribute.Single(a => a.Name == "then_branch");
        Assert.Equal("then attribute doc", then.DocString);
        Assert.Equal("then graph doc", then.G.DocString);
        Assert.Equal("relu doc", Assert.Single(then.G.Node).DocString);
        Assert.Equal(2, node.Attribute.Count);
    }
}
