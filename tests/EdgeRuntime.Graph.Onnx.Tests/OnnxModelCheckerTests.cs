using EdgeRuntime.Graph.Onnx.Protobuf;
using EdgeRuntime.Testing.Models;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx.Tests;

/// <summary>The strict structural check: each rule refuses the file that breaks it, and real models pass.</summary>
public sealed class OnnxModelCheckerTests
{
    public static TheoryData<string> RealModels => new(SharedModels.RealModels);

    /// <summary>x → Relu → r → Neg → y, opset 17.</summary>
    private static ModelProto Valid()
    {
        var graph = new GraphProto
        {
            Name = "valid",
            Input = { Info("x", 2) },
            Output = { Info("y", 2) },
            Node =
            {
                new NodeProto { OpType = "Relu", Input = { "x" }, Output = { "r" }, Name = "relu" },
                new NodeProto { OpType = "Neg", Input = { "r" }, Output = { "y" }, Name = "neg" },
            },
        };
        return new ModelProto { IrVersion = 8, OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = 17 } }, Graph = graph };
    }

    private static ValueInfoProto Info(string name, params long[] dims) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto { Dim = { dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }) } } } },
    };

    [Fact]
    public void Check_ValidModel_NoProblems() => Assert.Empty(OnnxModelChecker.Check(Valid().ToByteArray()));

    [Fact]
    public void Check_BytesTheReaderHandedOn_SameProblemsAndModelAsForACopy()
    {
        // A file with a problem, read (the reader keeps its parse for the first check of the bytes it hands back).
        var broken = Valid();
        broken.Graph.Node[1].OpType = "NoSuchOperator";
        var path = Path.Combine(Path.GetTempPath(), $"checker-handoff-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, broken.ToByteArray());
        try
        {
            OnnxModelReader.Read(path, out var bytes);
            var copy = bytes.ToArray();

            var problems = OnnxModelChecker.Check(bytes, out var read);
            var again = OnnxModelChecker.Check(bytes, out var readAgain);

            Assert.Equal(OnnxModelChecker.Check(copy, out var readCopy), problems);
            Assert.Equal(problems, again);
            Assert.NotEmpty(problems);
            Assert.Equal(readCopy is null, read is null);
            Assert.Equal(readAgain is null, read is null);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(RealModels))]
    public void Check_SharedRealModel_NoProblems(string model) =>
        Assert.Empty(OnnxModelChecker.Check(File.ReadAllBytes(SharedModels.Require(model))));

    [Fact]
    public void Check_OperatorNewerThanTheImportedOpset_Refused()
    {
        var model = Valid();
        model.OpsetImport[0].Version = 13;
        model.Graph.Node[1] = new NodeProto { OpType = "LayerNormalization", Input = { "r", "g" }, Output = { "y" }, Name = "ln" };
        model.Graph.Initializer.Add(new TensorProto { Name = "g", DataType = 1, Dims = { 2 }, RawData = ByteString.CopyFrom(new byte[8]) });
        Assert.Contains(OnnxModelChecker.Check(model.ToByteArray()), p => p.Contains("LayerNormalization does not exist in ai.onnx at opset 13", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_DomainNotImported_Refused()
    {
        var model = Valid();
        model.Graph.Node[1].Domain = "com.microsoft";
        Assert.Contains(OnnxModelChecker.Check(model.ToByteArray()), p => p.Contains("which the model does not import", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ValueProducedTwice_Refused()
    {
        var model = Valid();
        model.Graph.Node[1].Output[0] = "r";
        model.Graph.Output[0].Name = "r";
        Assert.Contains(OnnxModelChecker.Check(model.ToByteArray()), p => p.Contains("exactly one definition", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_NodesOutOfOrder_Refused()
    {
        var model = Valid();
        var first = model.Graph.Node[0];
        model.Graph.Node.RemoveAt(0);
        model.Graph.Node.Add(first);
        Assert.Contains(OnnxModelChecker.Check(model.ToByteArray()), p => p.Contains("before it is defined", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_DeclaredOutputShapeNoRunCanMeet_Refused()
    {
        var model = Valid();
        model.Graph.Output[0] = Info("y", 2, 1);
        Assert.Contains(OnnxModelChecker.Check(model.ToByteArray()), p => p.Contains("ranks differ", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ModelItRead_KeepsTheDeclaredTypesNotTheInferredOnes()
    {
        // y is declared [2, 1]; Neg of a [2] gives [2]. The model handed back must still say [2, 1] (and leave the
        // undeclared r untyped), so a caller checking declarations against what runs sees the declaration.
        var model = Valid();
        model.Graph.Output[0] = Info("y", 2, 1);
        Assert.Contains(OnnxModelChecker.Check(model.ToByteArray(), out var read), p => p.Contains("ranks differ", StringComparison.Ordinal));
        Assert.NotNull(read);
        Assert.Equal([2L, 1L], read.Graph.Outputs[0].TensorType!.Shape!.Dims.Select(d => d.Value!.Value));
        Assert.Null(read.Graph.FindValue("r")!.Type);
    }

    [Fact]
    public void Check_InitializerNotAnInputBeforeIr4_Refused()
    {
        var model = Valid();
        model.IrVersion = 3;
        model.Graph.Initializer.Add(new TensorProto { Name = "w", DataType = 1, Dims = { 2 }, RawData = ByteString.CopyFrom(new byte[8]) });
        Assert.Contains(OnnxModelChecker.Check(model.ToByteArray()), p => p.Contains("which IR version 3 requires", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_NodeNamedLikeAValue_Accepted()
    {
        // Node names and value names are separate namespaces in ONNX.
        var model = Valid();
        model.Graph.Node[1].Name = "y";
        Assert.Empty(OnnxModelChecker.Check(model.ToByteArray()));
        Assert.Equal(["y"], OnnxModelReader.Read(model.ToByteArray(), "named", null).Graph.Outputs.Select(o => o.Name));
    }
}
