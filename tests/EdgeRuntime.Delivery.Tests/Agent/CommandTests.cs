using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Tests.Agent;

public sealed class CommandTests : IDisposable
{
    private readonly SigningKey _key = SigningKey.Create();

    private static DeviceCommand Command(string name, long? version, string device = DeliveryRig.DeviceId, double expiresInSeconds = 120)
    {
        var now = TimeProvider.System.GetUtcNow();
        return new DeviceCommand
        {
            Command = name,
            DeviceId = device,
            Model = DeliveryRig.Model,
            Version = version,
            IssuedAt = now,
            ExpiresAt = now.AddSeconds(expiresInSeconds),
            Nonce = Guid.NewGuid().ToString("N"),
        };
    }

    private static Task<CommandReply> SendAsync(DeliveryRig rig, DeviceCommand command, SigningKey key) =>
        new DeviceCommandClient(rig.Fleet, rig.Topics, TimeProvider.System).SendAsync(command, key, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task Rollback_ThenDeploy_MoveBetweenStoredVersions_AndSurviveTheRetainedManifest(string broker)
    {
        await using var rig = await DeliveryRig.StartAsync(broker, _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        await rig.PublishAsync(TestModels.Scale(2), 2, _key);
        await rig.WaitUntilServingAsync(2);

        var back = await SendAsync(rig, Command(DeviceCommand.Rollback, null), _key);
        Assert.True(back.Ok, back.Message);
        Assert.Equal(1, back.ServingVersion);
        Assert.Equal(1, rig.Server.ServingVersion(DeliveryRig.Model));

        // The broker hands the retained v2 manifest over again on reconnect: anti-rollback must not undo the rollback.
        await rig.RestartDeviceAsync();
        await rig.WaitUntilServingAsync(1);
        await rig.Agent.WaitUntilIdleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, rig.Server.ServingVersion(DeliveryRig.Model));

        var forward = await SendAsync(rig, Command(DeviceCommand.Deploy, 2), _key);
        Assert.True(forward.Ok, forward.Message);
        Assert.Equal(2, rig.Server.ServingVersion(DeliveryRig.Model));
    }

    [Fact]
    public async Task Deploy_StagedVersionTheDeviceDoesNotHave_FetchesAndServesIt()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        await rig.PublishAsync(TestModels.Scale(3), 3, _key, announce: false);

        var reply = await SendAsync(rig, Command(DeviceCommand.Deploy, 3), _key);
        Assert.True(reply.Ok, reply.Message);
        Assert.Equal(3, rig.Server.ServingVersion(DeliveryRig.Model));
    }

    [Fact]
    public async Task Commands_ThatAreNotGenuineOrNotForThisDevice_AreRefused_AndChangeNothing()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        await rig.PublishAsync(TestModels.Scale(2), 2, _key);
        await rig.WaitUntilServingAsync(2);
        using var stranger = SigningKey.Create();

        Assert.Contains("unknown key", (await SendAsync(rig, Command(DeviceCommand.Rollback, 1), stranger)).Message, StringComparison.Ordinal);
        Assert.Contains("is for device 'another'", (await ReplayToRigDeviceAsync(rig, Command(DeviceCommand.Rollback, 1, device: "another"), _key)).Message, StringComparison.Ordinal);
        Assert.Contains("expired", (await SendAsync(rig, Command(DeviceCommand.Rollback, 1, expiresInSeconds: -1), _key)).Message, StringComparison.Ordinal);
        Assert.Contains("not older than the serving v2", (await SendAsync(rig, Command(DeviceCommand.Rollback, 2), _key)).Message, StringComparison.Ordinal);
        Assert.Contains("not in the store", (await SendAsync(rig, Command(DeviceCommand.Deploy, 7), _key)).Message, StringComparison.Ordinal);
        Assert.Equal(2, rig.Server.ServingVersion(DeliveryRig.Model));
    }

    [Fact]
    public async Task Command_DeliveredTwice_IsCarriedOutOnce()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        await rig.PublishAsync(TestModels.Scale(1), 1, _key);
        await rig.WaitUntilServingAsync(1);
        await rig.PublishAsync(TestModels.Scale(2), 2, _key);
        await rig.WaitUntilServingAsync(2);
        await rig.PublishAsync(TestModels.Scale(3), 3, _key);
        await rig.WaitUntilServingAsync(3);

        var rollback = Command(DeviceCommand.Rollback, null);
        var first = await SendAsync(rig, rollback, _key);
        var again = await SendAsync(rig, rollback, _key);
        Assert.Equal(2, first.ServingVersion);
        Assert.Equal(Core.Delivery.RefusalCode.Replayed, again.Code);
        Assert.Equal(first, again.First);
        Assert.Equal(2, rig.Server.ServingVersion(DeliveryRig.Model));
    }

    [Fact]
    public async Task Command_NamingAResponseTopicOutsideTheDevicesReplies_IsNotAnsweredThere()
    {
        await using var rig = await DeliveryRig.StartAsync("embedded", _key);
        var injected = new List<string>();
        var answered = new TaskCompletionSource<CommandReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var elsewhere = $"edge/devices/{DeliveryRig.DeviceId}/results/injected";
        var replyTopic = rig.Topics.DeviceReply(DeliveryRig.DeviceId, "operator");
        await using var spy = await rig.Fleet.SubscribeAsync(elsewhere, (message, _) =>
        {
            lock (injected)
            {
                injected.Add(message.Topic);
            }

            return Task.CompletedTask;
        }, cancellationToken: TestContext.Current.CancellationToken);
        await using var replies = await rig.Fleet.SubscribeAsync(replyTopic, (message, _) =>
        {
            answered.TrySetResult(System.Text.Json.JsonSerializer.Deserialize<CommandReply>(message.Payload.Span)!);
            return Task.CompletedTask;
        }, cancellationToken: TestContext.Current.CancellationToken);

        // The same unsigned command, first asking for its answer on the device's results topic, then on its reply topic:
        // the device handles its commands in order, so once the second is answered the first was handled too.
        var topic = rig.Topics.DeviceCommand(DeliveryRig.DeviceId, "rollback");
        await rig.Fleet.PublishAsync(new Messaging.Connection.OutgoingMessage(topic, "not a signed command"u8.ToArray()) { ResponseTopic = elsewhere });
        await rig.Fleet.PublishAsync(new Messaging.Connection.OutgoingMessage(topic, "not a signed command"u8.ToArray()) { ResponseTopic = replyTopic });

        var reply = await answered.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(Core.Delivery.RefusalCode.Malformed, reply.Code);
        lock (injected)
        {
            Assert.Empty(injected);
        }
    }

    /// <summary>A command signed for another device, captured and sent to this one's topic.</summary>
    private static async Task<CommandReply> ReplayToRigDeviceAsync(DeliveryRig rig, DeviceCommand command, SigningKey key)
    {
        var replyTopic = rig.Topics.DeviceReply(DeliveryRig.DeviceId, "replayer");
        var replied = new TaskCompletionSource<CommandReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await rig.Fleet.SubscribeAsync(replyTopic, (message, _) =>
        {
            replied.TrySetResult(System.Text.Json.JsonSerializer.Deserialize<CommandReply>(message.Payload.Span)!);
            return Task.CompletedTask;
        }, cancellationToken: TestContext.Current.CancellationToken))
        {
            var document = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(command);
            await rig.Fleet.PublishAsync(new Messaging.Connection.OutgoingMessage(rig.Topics.DeviceCommand(DeliveryRig.DeviceId, command.Command), SignedEnvelope.Sign(document, key).ToBytes())
            {
                ResponseTopic = replyTopic,
            });
            return await replied.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
    }

    public void Dispose() => _key.Dispose();
}
