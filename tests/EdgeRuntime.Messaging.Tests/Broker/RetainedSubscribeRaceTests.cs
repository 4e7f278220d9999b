using System.Collections.Concurrent;
using EdgeRuntime.Messaging.Broker;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Tests.Broker;

/// <summary>
/// A retained message published while another client subscribes to its topic reaches that client: either live
/// or as the retained copy, never neither. (MQTTnet's server reads the retained store before the new subscription
/// is visible to publishers; a publish in between was lost to the subscriber until the embedded broker ordered the two.)
/// </summary>
public sealed class RetainedSubscribeRaceTests
{
    [Fact]
    public async Task RetainedPublish_RacingASubscribeToItsTopic_ReachesTheSubscriberEveryTime()
    {
        const int Rounds = 1500;
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var broker = await EmbeddedMqttBroker.StartAsync(0, TestLogging.For<EmbeddedMqttBroker>());
        var factory = new MqttClientFactory();
        using var publisher = factory.CreateMqttClient();
        using var subscriber = factory.CreateMqttClient();
        var received = new ConcurrentDictionary<string, bool>();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received[e.ApplicationMessage.Topic] = true;
            return Task.CompletedTask;
        };
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("race-publisher").Build(), cancellationToken);
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("race-subscriber").Build(), cancellationToken);

        for (var round = 0; round < Rounds; round++)
        {
            var topic = $"race/{round}";
            var publish = Task.Run(() => publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("m").WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken), cancellationToken);
            var subscribe = Task.Run(() => subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken), cancellationToken);
            await Task.WhenAll(publish, subscribe);
        }

        await Eventually.HoldsWithinAsync(() => received.Count == Rounds, TimeSpan.FromSeconds(10));

        var missed = Enumerable.Range(0, Rounds).Select(r => $"race/{r}").Where(t => !received.ContainsKey(t)).ToList();
        Assert.True(missed.Count == 0, $"{missed.Count} of {Rounds} retained messages published during their subscriber's SUBSCRIBE never reached it: {string.Join(", ", missed.Take(10))}");
    }
}
