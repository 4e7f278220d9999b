using System.Security.Cryptography;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Delivery.Tests.Agent;

/// <summary>
/// On-device learning activates local revisions of the serving version itself (same version number, its own file):
/// delivery must leave them serving while it reconciles, and a delivered version must still replace them.
/// </summary>
public sealed class LocalRevisionTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    [Fact]
    public async Task LocalRevisionOfTheServingVersion_StaysServingThroughAReoffer_UntilANewerVersionIsDelivered()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);

        // What the learner does: a tuned file of v1 in its own folder, put into service under v1.
        var bytes = TestModels.Scale(5);
        var path = Path.Combine(rig.StateDirectory, "learning", DeliveryRig.Model, "v1", "r1", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
        await rig.Activator.ActivateAsync(new InstalledModel(DeliveryRig.Model, 1, path, Convert.ToHexStringLower(SHA256.HashData(bytes))), new Progress<ModelStepProgress>(), TestContext.Current.CancellationToken);
        Assert.Equal((1L, 5f), Answer(rig));

        // v1 offered again (a retained manifest comes again on every reconnect): delivery reconciles and leaves it be.
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await Eventually.TrueAsync(() => rig.Status() is { Phase: ModelPhase.Serving, ServingVersion: 1 }, "v1 still serving");
        await rig.Agent.WaitUntilIdleAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal((1L, 5f), Answer(rig));

        await rig.PublishAsync(TestModels.Scale(2), 2, _key);
        await rig.WaitUntilServingAsync(2);
        Assert.Equal((2L, 2f), Answer(rig));
    }

    public void Dispose() => _key.Dispose();

    private static (long Version, float Output) Answer(DeliveryRig rig)
    {
        var result = rig.Server.Run(DeliveryRig.Model, new Dictionary<string, Tensor> { ["x"] = TestModels.Input(1, 1, 1, 1) });
        return (result.Version, result.Outputs["y"].AsSpan<float>()[0]);
    }
}
