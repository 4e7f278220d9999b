using System.Text.Json;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Pipelines.Models;
using EdgeRuntime.Testing.Mqtt;
using EdgeRuntime.Testing.Processes;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>
/// A delivered version must fit the pipeline that serves it before it is swapped in; the built-in v0 is a version like
/// any other, one a rollback can reach. The daemon, edgectl and Mosquitto run as processes, mosquitto_sub watches.
/// </summary>
public sealed class PipelineCompatibilityTests : IDisposable
{
    private const string Model = "traffic-forecast";
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-fit-").FullName;

    private string Key => Path.Combine(_folder, "fleet");

    [Fact]
    public async Task ModelThatDoesNotFitThePipeline_IsRefused_V0KeepsServing_AndARollbackReachesV0()
    {
        Assert.Equal(0, await EdgectlAsync("keys", "create", "--out", Key));
        await using var broker = await MosquittoBroker.StartAsync();
        await using var daemon = DaemonProcess.Start(new Dictionary<string, string?>
        {
            ["EDGE_Mqtt__Server"] = broker.Address,
            ["EDGE_Delivery__TrustedKeys__0"] = Key + ".pub",
            ["EDGE_Pipelines__0__Sources__0__Loops__Interval"] = "00:00:01",
            ["EDGE_Pipelines__0__Sources__0__Loops__Settle"] = "00:00:00.200",
            ["EDGE_Pipelines__0__Sources__0__Simulation__StartAt"] = "2026-01-05T07:45:00+00:00",
        });
        await using var status = await MosquittoSubscriber.StartAsync(broker.Port, daemon.StatusTopic);
        await using var results = await MosquittoSubscriber.StartAsync(broker.Port, $"edge/devices/{daemon.DeviceId}/results/traffic");
        await results.WaitForAsync(m => ResultVersion(m) == 0, "results from the built-in v0", TimeSpan.FromSeconds(60));

        // A classifier under the forecaster's name: x [1, 4], no feature metadata.
        Assert.Equal(0, await PublishAsync(broker.Address, Classifier(), 1));
        var refused = await status.WaitForAsync(
            m => Models(m).Any(s => s is { Name: Model, Version: 1, Phase: ModelPhase.Failed, ServingVersion: 0 }),
            "v1 refused while v0 serves",
            TimeSpan.FromSeconds(90));
        Assert.Contains("pipeline", Models(refused).Single(s => s.Name == Model).Detail, StringComparison.Ordinal);
        Assert.Equal(Core.Delivery.RefusalCode.IncompatibleWithPipeline, Models(refused).Single(s => s.Name == Model).Code);
        Assert.Contains(DaemonProcess.Parse(refused).Pipelines!, p => p is { Name: "traffic", State: "running" });
        results.Clear();
        await results.WaitForAsync(m => ResultVersion(m) == 0, "results from v0 after the refusal");

        // A forecaster that fits is taken; a rollback goes back to v0, the only older version there is.
        Assert.Equal(0, await PublishAsync(broker.Address, ForecastModelBuilder.Build(ForecastModelBuilder.LaneSpec(12), averageOf: 2, modelVersion: 2), 2));
        await status.WaitForAsync(m => Models(m).Any(s => s is { Name: Model, Phase: ModelPhase.Serving, ServingVersion: 2 }), "v2 serving", TimeSpan.FromSeconds(90));
        results.Clear();
        await results.WaitForAsync(m => ResultVersion(m) == 2, "results from v2");

        Assert.Equal(0, await EdgectlAsync("rollback", "--device", daemon.DeviceId, "--model", Model, "--signing-key", Key + ".key", "--timeout", "60", "--broker", broker.Address));
        await status.WaitForAsync(m => Models(m).Any(s => s is { Name: Model, Phase: ModelPhase.Serving, ServingVersion: 0 }), "v0 serving after the rollback", TimeSpan.FromSeconds(60));
        results.Clear();
        await results.WaitForAsync(m => ResultVersion(m) == 0, "results from v0 after the rollback");
    }

    private static IReadOnlyList<ModelStatus> Models(ObservedMessage message) => DaemonProcess.Parse(message).Models;

    private static long? ResultVersion(ObservedMessage message) =>
        JsonDocument.Parse(message.Payload).RootElement.TryGetProperty("model", out var model) ? model.GetProperty("version").GetInt64() : null;

    private async Task<int> PublishAsync(string broker, byte[] model, long version)
    {
        var path = Path.Combine(_folder, $"model-{version}.onnx");
        await File.WriteAllBytesAsync(path, model, TestContext.Current.CancellationToken);
        return await EdgectlAsync("model", "publish", path, "--name", Model, "--version", version.ToString(System.Globalization.CultureInfo.InvariantCulture), "--signing-key", Key + ".key", "--broker", broker);
    }

    private static byte[] Classifier()
    {
        var graph = new Graph.Ir.Graph("classifier");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var x = graph.AddInput("x", new TensorType(DataType.Float, TensorShape.Of(1, 4)));
        var weights = graph.AddInitializer("weights", Tensor.From<float>([1, 0, 0, 1, 0, 1, 1, 0], [4, 2]));
        var logits = graph.AddNode("MatMul", [x, weights], "logits").Outputs[0];
        graph.AddOutput(graph.AddNode("Softmax", [logits], ["probabilities"]).Outputs[0]!);
        return OnnxModelWriter.ToBytes(model);
    }

    private static async Task<int> EdgectlAsync(params string[] arguments)
    {
        await using var edgectl = ChildProcess.Start("dotnet", [EdgeRuntimeBinaries.Edgectl, .. arguments]);
        var exit = await edgectl.WaitForExitAsync(TimeSpan.FromMinutes(2));
        TestContext.Current.TestOutputHelper?.WriteLine($"edgectl {string.Join(' ', arguments)} → {exit}\n{edgectl.DescribeOutput()}");
        return exit;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
