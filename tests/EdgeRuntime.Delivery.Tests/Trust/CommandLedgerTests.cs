using System.Text.Json;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Tests.Agent;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Delivery.Tests.Trust;

/// <summary>Replay protection that survives a restart, attacked as someone on the broker would: with mosquitto_sub and mosquitto_pub.</summary>
public sealed class CommandLedgerTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task CapturedRollback_RepublishedAfterARestart_IsRefusedAsReplayed_AndAnsweredWithTheFirstResult(string broker)
    {
        await using var rig = await DeliveryRig.StartAsync(broker, _key);
        for (var version = 1; version <= 3; version++)
        {
            await rig.PublishAsync(TestModels.Scale(version), version, _key);
            await rig.WaitUntilServingAsync(version);
        }

        // The attacker records the genuine rollback as it crosses the broker.
        var commandTopic = rig.Topics.DeviceCommand(DeliveryRig.DeviceId, DeviceCommand.Rollback);
        await using var recorder = await MosquittoSubscriber.StartAsync(rig.Port, commandTopic);
        var first = await FleetCommands.SendAsync(rig, FleetCommands.Command(DeviceCommand.Rollback, null, expiresInSeconds: 600), _key, seconds: 60);
        Assert.True(first.Ok, first.Message);
        Assert.Equal(2, first.ServingVersion);
        var captured = await recorder.WaitForAsync(m => m.Topic == commandTopic, "the rollback on the device's command topic");

        // The daemon restarts (nonces once lived only in memory), then the capture is published again inside its expiry.
        await rig.RestartDeviceAsync();
        await rig.WaitUntilServingAsync(2);
        var replyTopic = rig.Topics.DeviceReply(DeliveryRig.DeviceId, "attacker");
        await using var replies = await MosquittoSubscriber.StartAsync(rig.Port, replyTopic);
        await MosquittoPublisher.PublishAsync(rig.Port, commandTopic, captured.Payload, responseTopic: replyTopic);

        var answer = JsonSerializer.Deserialize<CommandReply>((await replies.WaitForAsync(m => m.Topic == replyTopic, "the device's answer to the replay")).Payload)!;
        Assert.False(answer.Ok);
        Assert.Equal(RefusalCode.Replayed, answer.Code);
        Assert.Equal(first, answer.First);
        await rig.Agent.WaitUntilIdleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, rig.Server.ServingVersion(DeliveryRig.Model));
        Assert.Equal(2, rig.Status()!.ServingVersion);
    }

    public void Dispose() => _key.Dispose();
}
