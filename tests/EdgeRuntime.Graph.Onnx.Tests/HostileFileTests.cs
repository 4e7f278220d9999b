using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx.Tests;

/// <summary>Broken and hostile files get one-line errors, never crashes or huge allocations.</summary>
public sealed class HostileFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-hostile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Y = Identity(X) + W, a valid model to break.</summary>
    private static ModelProto SmallModel(TensorProto? weight = null)
    {
        weight ??= new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 2 }, RawData = ByteString.CopyFrom(new byte[8]) };
        var graph = new GraphProto
        {
            Name = "small",
            Input = { Info("X") },
            Output = { Info("Y") },
            Initializer = { weight },
            Node =
            {
                new NodeProto { OpType = "Identity", Input = { "X" }, Output = { "T" }, Name = "id" },
                new NodeProto { OpType = "Add", Input = { "T", "W" }, Output = { "Y" }, Name = "add" },
            },
        };
        return new ModelProto { IrVersion = 8, OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = 17 } }, Graph = graph };
    }

    private static ValueInfoProto Info(string name) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 2 } } } } },
    };

    private string Save(ModelProto model, string name = "model.onnx") => Save(model.ToByteArray(), name);

    /// <summary>A float[2] weight whose data is in an external file.</summary>
    private static TensorProto ExternalWeight(params (string Key, string Value)[] entries)
    {
        var weight = new TensorProto { Name = "W", DataType = 1, Dims = { 2 }, DataLocation = TensorProto.Types.DataLocation.External };
        weight.ExternalData.AddRange(entries.Select(e => new StringStringEntryProto { Key = e.Key, Value = e.Value }));
        return weight;
    }

    private string Save(byte[] bytes, string name = "model.onnx")
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string ReadError(string path)
    {
        var ex = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(path));
        Assert.DoesNotContain('\n', ex.Message);
        return ex.Message;
    }

    [Fact]
    public void Read_ValidSmallModel_Succeeds() => Assert.Equal(2, OnnxModelReader.Read(Save(SmallModel())).Graph.Nodes.Count);

    [Fact]
    public void Read_Truncated_SaysTruncatedOrCorrupt()
    {
        var bytes = SmallModel().ToByteArray();
        var message = ReadError(Save(bytes[..(bytes.Length / 2)]));
        Assert.StartsWith("model.onnx: not a readable ONNX file (truncated or corrupt protobuf", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyFile_NotAModel() =>
        Assert.Equal("model.onnx: not an ONNX model (it has no graph)", ReadError(Save([])));

    [Fact]
    public void Read_FieldTagBitFlippedToInvalidWireType_Refused()
    {
        var bytes = SmallModel().ToByteArray();
        bytes[0] |= 0x07; // wire type 7 does not exist
        Assert.StartsWith("model.onnx: not a readable ONNX file", ReadError(Save(bytes)), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RandomBitFlips_EitherReadableOrOneLineError()
    {
        var original = SmallModel().ToByteArray();
        for (var seed = 0; seed < 2000; seed++)
        {
            var random = new Random(seed);
            var bytes = (byte[])original.Clone();
            for (var flips = 0; flips < 3; flips++)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }

            try
            {
                OnnxModelReader.Read(bytes, "flipped.onnx", _folder);
            }
            catch (OnnxFormatException ex)
            {
                Assert.DoesNotContain('\n', ex.Message);
            }
        }
    }

    [Fact]
    public void Read_TrillionElementsDeclaredInSixteenBytes_RefusedBeforeAllocating()
    {
        var weight = new TensorProto { Name = "W", DataType = 1, Dims = { 1_000_000, 1_000_000 }, RawData = ByteString.CopyFrom(new byte[16]) };
        var before = GC.GetAllocatedBytesForCurrentThread();

        var message = ReadError(Save(SmallModel(weight)));

        Assert.Contains("initializer 'W' declares 1000000000000 float elements", message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 50_000_000, "no buffer of the declared size may be allocated");
    }

    [Fact]
    public void Read_TensorBytesDoNotMatchShape_Refused()
    {
        var weight = new TensorProto { Name = "W", DataType = 1, Dims = { 4 }, RawData = ByteString.CopyFrom(new byte[8]) };
        Assert.Contains("initializer 'W' declares 4 float elements (dims [4]) but holds 8 bytes instead of 16", ReadError(Save(SmallModel(weight))), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NegativeDimension_Refused()
    {
        var weight = new TensorProto { Name = "W", DataType = 1, Dims = { -2 }, RawData = ByteString.Empty };
        Assert.Contains("initializer 'W' has a negative dimension -2", ReadError(Save(SmallModel(weight))), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownElementType_Refused()
    {
        var weight = new TensorProto { Name = "W", DataType = 99, Dims = { 2 }, RawData = ByteString.CopyFrom(new byte[8]) };
        Assert.Contains("initializer 'W' has unknown element type 99", ReadError(Save(SmallModel(weight))), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Cycle_NamesNodesOnIt()
    {
        var model = SmallModel();
        model.Graph.Node[0].Input[0] = "Y"; // id reads add's output, add reads id's output
        Assert.Contains("has a cycle through 'id' (Identity), 'add' (Add)", ReadError(Save(model)), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NodeReadsUndefinedValue_NamesBoth()
    {
        var model = SmallModel();
        model.Graph.Node[1].Input[1] = "nowhere";
        Assert.Contains("node 'add' (Add) reads 'nowhere', which nothing defines", ReadError(Save(model)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside.bin", "leaves the model's folder")]
    [InlineData("/etc/passwd", "leaves the model's folder")]
    [InlineData("sub/../../outside.bin", "leaves the model's folder")]
    [InlineData("missing.bin", "external data file 'missing.bin' does not exist")]
    public void Read_ExternalDataOutsideFolderOrMissing_Refused(string location, string expected)
    {
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(_folder)!, "outside.bin"), new byte[8]);
        var weight = ExternalWeight(("location", location));
        Assert.Contains(expected, ReadError(Save(SmallModel(weight))), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ExternalDataThroughLinkOutOfFolder_Refused()
    {
        var secret = Path.Combine(Directory.CreateTempSubdirectory("edge-secret-").FullName, "secret.bin");
        File.WriteAllBytes(secret, new byte[8]);
        File.CreateSymbolicLink(Path.Combine(_folder, "weights.bin"), secret);
        var weight = ExternalWeight(("location", "weights.bin"));

        Assert.Contains("'weights.bin' is a link that leaves the model's folder", ReadError(Save(SmallModel(weight))), StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(secret)!, recursive: true);
    }

    [Fact]
    public void Read_ExternalDataInsideFolder_LoadedWithOffset()
    {
        var data = new byte[24];
        BitConverter.TryWriteBytes(data.AsSpan(16), 1.5f);
        BitConverter.TryWriteBytes(data.AsSpan(20), -2f);
        File.WriteAllBytes(Path.Combine(_folder, "weights.bin"), data);
        var weight = ExternalWeight(("location", "weights.bin"), ("offset", "16"), ("length", "8"));

        var model = OnnxModelReader.Read(Save(SmallModel(weight)));

        Assert.Equal([1.5f, -2f], model.Graph.FindValue("W")!.Initializer!.AsSpan<float>().ToArray());
    }

    [Fact]
    public void Read_ExternalDataShorterThanDeclared_Refused()
    {
        File.WriteAllBytes(Path.Combine(_folder, "weights.bin"), new byte[4]);
        var weight = ExternalWeight(("location", "weights.bin"));
        Assert.Contains("has 4 bytes, too few for 8 bytes at offset 0", ReadError(Save(SmallModel(weight))), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SubgraphsNestedTooDeep_RefusedWithoutStackOverflow()
    {
        var leaf = new GraphProto { Name = "leaf", Output = { Info("X") } };
        var body = leaf;
        for (var level = 0; level < 40; level++)
        {
            // Only one branch nests deeper, so the file stays small while the nesting grows.
            var node = new NodeProto { OpType = "If", Input = { "C" }, Output = { $"r{level}" }, Name = $"if{level}" };
            node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = body });
            node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = leaf });
            body = new GraphProto { Name = $"level{level}", Node = { node }, Output = { Info($"r{level}") } };
        }

        var model = SmallModel();
        model.Graph.Node.Add(body.Node[0]);
        var message = ReadError(Save(model));
        Assert.Contains("nest", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FileLargerThanLimit_RefusedBeforeReading()
    {
        var path = Save(SmallModel());
        var ex = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(path, new OnnxReadOptions { MaxFileBytes = 10 }));
        Assert.Contains("more than the limit of 10", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_SaysSo() =>
        Assert.EndsWith("no-such.onnx: no such file", Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(Path.Combine(_folder, "no-such.onnx"))).Message, StringComparison.Ordinal);
}
