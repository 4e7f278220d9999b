using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Tests.Agent;

/// <summary>A clean stop keeps the device's broker session: what the fleet sends meanwhile is queued and handled by the next start.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    [Theory]
    [InlineData("mosquitto")]
    [InlineData("embedded")]
    public async Task CommandSentWhileTheDeviceIsStopped_IsAnsweredAfterItStarts(string broker)
    {
        await using var rig = await DeliveryRig.StartAsync(broker, _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        await rig.PublishAsync(TestModels.Scale(2), 2, _key);
        await rig.WaitUntilServingAsync(2);

        Task<CommandReply>? reply = null;
        await rig.RestartDeviceAsync(afterStop: () => reply = new DeviceCommandClient(rig.Fleet, rig.Topics, TimeProvider.System)
            .SendAsync(FleetCommands.Command(DeviceCommand.Rollback, null), _key, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        var answer = await Eventually.CompletesAsync(reply!, "the answer to the rollback sent while the device was stopped");
        Assert.True(answer.Ok, answer.Message);
        Assert.Equal(1, answer.ServingVersion);
    }

    public void Dispose() => _key.Dispose();
}
