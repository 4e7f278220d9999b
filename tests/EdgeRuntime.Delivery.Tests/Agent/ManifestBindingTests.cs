using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Tests.Agent;

/// <summary>Signed manifests bound to the topic they came on and to the devices they were signed for, against a real broker.</summary>
public sealed class ManifestBindingTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task StagedManifestCopiedToTheLatestTopic_IsRefusedAsNotTargeted_AndTheFleetKeepsServing(string broker)
    {
        await using var rig = await DeliveryRig.StartAsync(broker, _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);

        // v2 is staged for one canary; someone who can publish copies its signed manifest to the model's latest topic.
        await rig.PublishAsync(TestModels.Scale(2), 2, _key, announce: false, targets: ManifestTargets.Only(["canary-7"], []));
        await rig.CopyRetainedAsync(rig.Topics.ModelVersionManifest(DeliveryRig.Model, 2), rig.Topics.ModelManifest(DeliveryRig.Model));

        var reason = await rig.WaitUntilRefusedAsync(2);
        Assert.Equal(RefusalCode.NotTargeted, rig.Status()!.Code);
        Assert.Equal("manifest refused: traffic v2 is signed for device canary-7, not this device", reason);
        Assert.Equal(1, rig.Server.ServingVersion(DeliveryRig.Model));
        Assert.DoesNotContain(2L, rig.Store.Versions(DeliveryRig.Model));
    }

    [Fact]
    public async Task Deploy_OfAVersionWhoseTopicHoldsAnotherVersionsManifest_IsRefusedAsWrongVersion()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);

        // v21's genuine manifest copied to v22's topic, then the operator deploys v22.
        await rig.PublishAsync(TestModels.Scale(21), 21, _key, announce: false);
        await rig.CopyRetainedAsync(rig.Topics.ModelVersionManifest(DeliveryRig.Model, 21), rig.Topics.ModelVersionManifest(DeliveryRig.Model, 22));
        var reply = await FleetCommands.SendAsync(rig, FleetCommands.Command(DeviceCommand.Deploy, 22), _key, seconds: 60);

        Assert.False(reply.Ok);
        Assert.Equal(RefusalCode.WrongVersion, reply.Code);
        Assert.Equal("manifest refused: it names v21 but came on the topic of v22", reply.Message);
        Assert.Equal(1, rig.Server.ServingVersion(DeliveryRig.Model));
        Assert.DoesNotContain(21L, rig.Store.Versions(DeliveryRig.Model));
    }

    [Fact]
    public async Task StagedVersionSignedForATag_IsDeployedToADeviceCarryingIt()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key, device: new RigDevice(["canary"]));
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        await rig.PublishAsync(TestModels.Scale(2), 2, _key, announce: false, targets: ManifestTargets.Only([], ["canary"]));

        var reply = await FleetCommands.SendAsync(rig, FleetCommands.Command(DeviceCommand.Deploy, 2), _key, seconds: 60);
        Assert.True(reply.Ok, reply.Message);
        Assert.Equal(2, rig.Server.ServingVersion(DeliveryRig.Model));
    }

    public void Dispose() => _key.Dispose();
}
