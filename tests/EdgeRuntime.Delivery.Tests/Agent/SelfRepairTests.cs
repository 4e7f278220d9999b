using System.Security.Cryptography;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Delivery.Tests.Agent;

/// <summary>
/// A file in the state directory damaged while the daemon was down (a torn write, a bad sector, a person with an
/// editor): the device starts anyway, finds the damage, repairs it from the signed originals, and never serves from a
/// file it has not verified.
/// </summary>
public sealed class SelfRepairTests : IDisposable
{
    private const float Factor = 2.75f;
    private readonly SigningKey _key = SigningKey.Create();

    public static TheoryData<string> Damages => ["state", "manifest", "plan-truncated", "plan-flipped", "model-flipped"];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Restart_WithADamagedFile_RepairsIt_AndServesTheVerifiedVersion(string damage)
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        var model = TestModels.Scale(Factor);
        var manifest = await rig.PublishAsync(model, 2, _key);
        await rig.WaitUntilServingAsync(2);
        var folder = rig.Store.VersionFolder(DeliveryRig.Model, 2);

        await rig.RestartDeviceAsync(afterStop: () => Damage(damage, rig, folder));

        await rig.WaitForStatusAsync(s => s.Phase == Core.Models.ModelPhase.Serving && s.ServingVersion == 2, "v2 serving again after the repair", seconds: 60);
        Assert.Equal(Factor, Answer(rig, out var version));
        Assert.Equal(2, version);
        Assert.Equal(manifest.Sha256, Sha256(Path.Combine(folder, ModelStore.ModelFileName)));
        Assert.Equal(model, await File.ReadAllBytesAsync(Path.Combine(folder, ModelStore.ModelFileName), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RepairCommand_WhileServing_FindsDamagedFiles_FetchesTheServingVersionAgain_AndDropsTheOther()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1.75f), 1, _key);
        await rig.WaitUntilServingAsync(1);
        var model = TestModels.Scale(Factor);
        var manifest = await rig.PublishAsync(model, 2, _key);
        await rig.WaitUntilServingAsync(2);
        var served = Path.Combine(rig.Store.VersionFolder(DeliveryRig.Model, 2), ModelStore.ModelFileName);
        FlipFactor(served);
        File.WriteAllBytes(Path.Combine(rig.Store.VersionFolder(DeliveryRig.Model, 1), ModelStore.ModelFileName), [1, 2, 3]);

        var reply = await FleetCommands.SendAsync(rig, FleetCommands.Command(Commands.DeviceCommand.Repair, null), _key, seconds: 60);
        Assert.True(reply.Ok, reply.Message);
        Assert.Equal(2, reply.ServingVersion);
        Assert.Equal(manifest.Sha256, Sha256(served));
        await Eventually.TrueAsync(() => !Directory.Exists(rig.Store.VersionFolder(DeliveryRig.Model, 1)), "the damaged v1 to be removed");
        Assert.Equal(Factor, Answer(rig, out _));
    }

    private static void Damage(string damage, DeliveryRig rig, string folder)
    {
        switch (damage)
        {
            case "state":
                File.WriteAllText(Path.Combine(rig.Store.Root, DeliveryRig.Model, "state.json"), "{\"servingVersion\": 2, \"highestVer");
                break;
            case "manifest":
                var manifestPath = Path.Combine(folder, ModelStore.ManifestFileName);
                File.WriteAllBytes(manifestPath, File.ReadAllBytes(manifestPath)[..40]);
                break;
            case "plan-truncated":
                var plan = Path.Combine(folder, "plan.onnx");
                File.WriteAllBytes(plan, File.ReadAllBytes(plan)[..(int)(new FileInfo(plan).Length / 2)]);
                break;
            case "plan-flipped":
                FlipFactor(Path.Combine(folder, "plan.onnx"));
                break;
            case "model-flipped":
                FlipFactor(Path.Combine(folder, ModelStore.ModelFileName));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }

    /// <summary>Changes the stored weight 2.75 into 3.75 in place: a file that still loads and runs, with a wrong answer.</summary>
    private static void FlipFactor(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var pattern = BitConverter.GetBytes(Factor);
        var at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, $"the weight {Factor} is not in {path}");
        BitConverter.GetBytes(Factor + 1).CopyTo(bytes, at);
        File.WriteAllBytes(path, bytes);
    }

    private static float Answer(DeliveryRig rig, out long version)
    {
        var result = rig.Server.Run(DeliveryRig.Model, new Dictionary<string, Tensor> { ["x"] = TestModels.Input(1, 1, 1, 1) });
        version = result.Version;
        return result.Outputs["y"].AsSpan<float>()[0];
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public void Dispose() => _key.Dispose();
}
