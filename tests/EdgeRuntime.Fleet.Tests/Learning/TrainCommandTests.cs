using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Fleet.Tests.Learning;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-train-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task CreateThenTrain_OnSimulatedLanes_WritesATrainedModelAndATestTable()
    {
        var untrained = Path.Combine(_folder, "lanes.onnx");
        var trained = Path.Combine(_folder, "lanes.trained.onnx");

        var (exit, output, error) = await Edgectl.RunAsync(["model", "create", "traffic-forecaster", "-o", untrained, "--simulate", "1d", "--intersections", "1", "--hidden", "16"], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        Assert.Contains("normalisation from 34560 intervals", output, StringComparison.Ordinal);

        (exit, output, error) = await Edgectl.RunAsync(["train", untrained, "-o", trained, "--simulate", "2d", "--intersections", "1", "--epochs", "2"], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        Assert.Contains("hidden.weight, hidden.bias, head.weight, head.bias, skip.weight", output, StringComparison.Ordinal);
        Assert.Matches(@"trained\s*│", output);
        Assert.Matches(@"repeat the\s*│", output);
        Assert.Contains("epoch", error, StringComparison.Ordinal);

        var before = OnnxModelReader.Read(untrained);
        var after = OnnxModelReader.Read(trained);
        Assert.NotEqual(before.Graph.FindValue("head.weight")!.Initializer!.AsSpan<float>().ToArray(), after.Graph.FindValue("head.weight")!.Initializer!.AsSpan<float>().ToArray());
        Assert.Equal(before.Metadata.First(m => m.Key == FeatureSpec.MetadataKey).Value, after.Metadata.First(m => m.Key == FeatureSpec.MetadataKey).Value);
    }

    [Theory]
    [InlineData("--loss", "median", "--loss must be mae, mse or huber")]
    [InlineData("--epochs", "0", "epochs (0)")]
    public async Task Train_BadOption_OneLineExit2(string option, string value, string expected)
    {
        var model = Path.Combine(_folder, "m.onnx");
        var (exit, _, error) = await Edgectl.RunAsync(["model", "create", "traffic-forecaster", "-o", model], TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);

        (exit, _, error) = await Edgectl.RunAsync(["train", model, "-o", Path.Combine(_folder, "t.onnx"), "--simulate", "1h", option, value], TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Train_ModelWithoutFeatureSpec_Refused()
    {
        var (exit, _, error) = await Edgectl.RunAsync(["train", SharedModels.Require(SharedModels.Mnist), "-o", Path.Combine(_folder, "t.onnx"), "--simulate", "1h"], TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("carries no 'edge.features' metadata", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_UnknownKindOrProfile_Refused()
    {
        var (exit, _, error) = await Edgectl.RunAsync(["model", "create", "detector", "-o", Path.Combine(_folder, "d.onnx")], TestContext.Current.CancellationToken);
        Assert.Equal(2, exit);
        Assert.Contains("kinds: traffic-forecaster", error, StringComparison.Ordinal);

        (exit, _, error) = await Edgectl.RunAsync(["model", "create", "traffic-forecaster", "-o", Path.Combine(_folder, "d.onnx"), "--profile", "month"], TestContext.Current.CancellationToken);
        Assert.Equal(2, exit);
        Assert.Contains("allowed: day, week, none", error, StringComparison.Ordinal);
    }
}
