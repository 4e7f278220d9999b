using System.Text.Json;
using EdgeRuntime.Testing.Models;
using Google.Protobuf;

namespace EdgeRuntime.Fleet.Tests.Optimize;

public sealed class OptimizeCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-optimize-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Out(string name = "out.onnx") => Path.Combine(_folder, name);

    [Fact]
    public async Task Optimize_MiniLmWithShapes_WritesVerifiedModelReportAndProgress()
    {
        var model = SharedModels.Require(SharedModels.MiniLm);
        var report = Path.Combine(_folder, "report.json");

        var (exit, output, error) = await Edgectl.RunAsync(
            ["optimize", model, "-o", Out(), "--shape", "input_ids=1x128", "--shape", "attention_mask=1x128", "--shape", "token_type_ids=1x128", "--samples", "2", "--report", report, "--no-measure"],
            TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error);
        Assert.Contains("  fuse-attention: ", output, StringComparison.Ordinal);
        // LayerNormalization is opset 17 and MiniLM imports 13, so the layer norms stay decomposed (ONNX Runtime fuses them at load).
        Assert.Matches(@"total\s+650 → 185", output);
        Assert.Matches(@"last_hidden_state\s+\S+\s+\S+\s+1\.0000000\s+100\.0 %\s+match", output);
        Assert.True(File.Exists(Out()));
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.True(json.RootElement.GetProperty("verification").GetProperty("passed").GetBoolean());
        Assert.Equal(185, json.RootElement.GetProperty("after").GetProperty("nodes").GetInt32());
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Optimize_Measured_TimesVerifiedVariantsAgainstOriginalAndKeepsOne()
    {
        var model = SharedModels.Require(SharedModels.UltraFaceWithoutPostprocessing);
        var report = Path.Combine(_folder, "report.json");

        var (exit, output, error) = await Edgectl.RunAsync(["optimize", model, "-o", Out(), "--samples", "1", "--report", report, "--freeze-initializer-inputs"], TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error);
        Assert.Matches(@"\noriginal\s+217\s+\S+\s+1\.00", output);
        Assert.Matches(@"\nO3\s+110\s+", output);
        Assert.Matches(@"\nO0 \(unchanged\)\s+217\s+", output);

        // Each variant's pass lines come under a line naming it, in the order they were tried, before the timing.
        string[] steps = ["  variant O2: rewriting and verifying", "  variant O1: rewriting and verifying", "  variant O0 (unchanged): verifying", "  timing "];
        var at = steps.Select(step => output.IndexOf(step, StringComparison.Ordinal)).ToList();
        Assert.True(at.All(i => i >= 0) && at.SequenceEqual(at.Order()), $"variant lines missing or out of order: {string.Join(", ", at)}");
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var candidates = json.RootElement.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(1, candidates.Count(c => c.GetProperty("chosen").GetBoolean()));
        Assert.True(json.RootElement.GetProperty("originalMilliseconds").GetDouble() > 0);
        var kept = candidates.Single(c => c.GetProperty("chosen").GetBoolean()).GetProperty("nodes").GetInt32();
        Assert.Equal(kept, Graph.Onnx.OnnxModelReader.Read(Out()).CountNodes());
    }

    [Fact]
    public async Task Optimize_SkipPass_PassDoesNotRun()
    {
        var model = SharedModels.Require(SharedModels.UltraFaceWithoutPostprocessing);
        var (exit, output, _) = await Edgectl.RunAsync(["optimize", model, "-o", Out(), "--skip-pass", "fuse-conv-batchnorm", "--samples", "1", "--no-measure"], TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("fuse-conv-batchnorm", output, StringComparison.Ordinal);
        Assert.Contains(Graph.Onnx.OnnxModelReader.Read(Out()).Graph.Nodes, n => n.OpType == "BatchNormalization");
    }

    [Fact]
    public async Task Optimize_SileroWithRecordedSampleRateAndChunk_Verified()
    {
        var model = SharedModels.Require(SharedModels.SileroV5);
        var (exit, output, error) = await Edgectl.RunAsync(["optimize", model, "-o", Out(), "--shape", "input=1x512", "--shape", "state=2x1x128", "--fixed-input", "sr=16000", "--samples", "2", "--no-measure"], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error + output);
    }

    [Fact]
    public async Task Optimize_SmallModelWithFreeBatch_TableExplainsItsColumnsAndCountsOnceTheShapeIsBound()
    {
        var model = Path.Combine(TestEnvironment.RepositoryRoot, "configs", "models", "traffic-forecast.onnx");

        var (exit, free, _) = await Edgectl.RunAsync(["optimize", model, "-o", Out(), "--samples", "1", "--no-measure"], TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        Assert.Contains("RUNS: times the pass ran (passes repeat until none changes the model); CHANGES: its rewrites;", free, StringComparison.Ordinal);
        Assert.Contains("?: not counted: up to 13 node(s) have shapes that depend on a free dimension (--shape NAME=DIMS binds free dimensions)", free, StringComparison.Ordinal);
        var freeTotal = free.Split('\n').Single(l => l.StartsWith("total ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["?", "?"], freeTotal[^3..^1]);

        // Bound, the forecaster's 0.022 MFLOPS show as such, not as "0.0"; only the shape pass's input is uncounted.
        var (boundExit, bound, _) = await Edgectl.RunAsync(["optimize", model, "-o", Out("bound.onnx"), "--shape", "window=1x12x13", "--samples", "1", "--no-measure"], TestContext.Current.CancellationToken);
        Assert.Equal(0, boundExit);
        Assert.Contains("? → 0.022", bound, StringComparison.Ordinal);
        var total = bound.Split('\n').Single(l => l.StartsWith("total ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0.022", total[^3]);
    }

    [Fact]
    public async Task Optimize_UnknownPass_OneLineNamingIt()
    {
        var model = SharedModels.Require(SharedModels.Mnist);
        var (exit, _, error) = await Edgectl.RunAsync(["optimize", model, "-o", Out(), "--skip-pass", "no-such-pass"], TestContext.Current.CancellationToken);
        Assert.Equal(1, exit);
        Assert.StartsWith("edgectl optimize: unknown pass 'no-such-pass'", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Out()));
    }

    [Theory]
    [InlineData("input_ids=1x128x9", "input 'input_ids' has rank 2")]
    [InlineData("input_ids=1xabc", "'abc' is not a size")]
    [InlineData("nothing=1x2", "the model has no input 'nothing'")]
    public async Task Optimize_BadShape_OneLineAndNoOutput(string shape, string expected)
    {
        var model = SharedModels.Require(SharedModels.MiniLm);
        var (exit, _, error) = await Edgectl.RunAsync(["optimize", model, "-o", Out(), "--shape", shape], TestContext.Current.CancellationToken);
        Assert.Equal(1, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.False(File.Exists(Out()));
    }

    public static TheoryData<string, string> HostileFiles => new()
    {
        { "truncated", "not a readable ONNX file (truncated or corrupt protobuf" },
        { "bit-flipped", "not a readable ONNX file" },
        { "cyclic", "has a cycle through" },
        { "trillion-elements", "declares 1000000000000 float elements" },
        { "external-outside", "leaves the model's folder" },
    };

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public async Task Optimize_HostileFile_ExitNonZeroOneLineNoOutputNoHugeAllocation(string kind, string expected)
    {
        var path = HostileModel(kind);
        var before = GC.GetTotalAllocatedBytes(precise: false);

        var (exit, output, error) = await Edgectl.RunAsync(["optimize", path, "-o", Out()], TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("edgectl optimize: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Out()));
        Assert.True(GC.GetTotalAllocatedBytes(precise: false) - before < 500_000_000, "a hostile file must not cause a huge allocation");
    }

    /// <summary>Hostile variants of a small valid model (Y = Identity(X) + W).</summary>
    private string HostileModel(string kind)
    {
        var weight = new Graph.Onnx.Protobuf.TensorProto { Name = "W", DataType = 1, Dims = { 2 }, RawData = ByteString.CopyFrom(new byte[8]) };
        var info = new Graph.Onnx.Protobuf.ValueInfoProto { Name = "X", Type = new Graph.Onnx.Protobuf.TypeProto { TensorType = new Graph.Onnx.Protobuf.TypeProto.Types.Tensor { ElemType = 1 } } };
        var graph = new Graph.Onnx.Protobuf.GraphProto
        {
            Name = "g",
            Input = { info },
            Output = { new Graph.Onnx.Protobuf.ValueInfoProto { Name = "Y" } },
            Initializer = { weight },
            Node =
            {
                new Graph.Onnx.Protobuf.NodeProto { OpType = "Identity", Input = { "X" }, Output = { "T" }, Name = "id" },
                new Graph.Onnx.Protobuf.NodeProto { OpType = "Add", Input = { "T", "W" }, Output = { "Y" }, Name = "add" },
            },
        };
        var model = new Graph.Onnx.Protobuf.ModelProto { IrVersion = 8, OpsetImport = { new Graph.Onnx.Protobuf.OperatorSetIdProto { Version = 17 } }, Graph = graph };
        byte[] bytes;
        switch (kind)
        {
            case "truncated":
                bytes = model.ToByteArray()[..40];
                break;
            case "bit-flipped":
                bytes = model.ToByteArray();
                bytes[0] ^= 0x07;
                break;
            case "cyclic":
                graph.Node[0].Input[0] = "Y";
                bytes = model.ToByteArray();
                break;
            case "trillion-elements":
                weight.Dims.Clear();
                weight.Dims.Add([1_000_000, 1_000_000]);
                bytes = model.ToByteArray();
                break;
            default:
                weight.ClearRawData();
                weight.DataLocation = Graph.Onnx.Protobuf.TensorProto.Types.DataLocation.External;
                weight.ExternalData.Add(new Graph.Onnx.Protobuf.StringStringEntryProto { Key = "location", Value = "../../etc/passwd" });
                bytes = model.ToByteArray();
                break;
        }

        var path = Path.Combine(_folder, $"{kind}.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
