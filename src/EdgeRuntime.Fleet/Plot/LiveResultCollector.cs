using System.Collections.Concurrent;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Fleet.Plot;

/// <summary>Collects a pipeline's results live from MQTT (results are not retained: only those published while it listens).</summary>
internal static class LiveResultCollector
{
    /// <summary>Listens to <c>{root}/devices/{device}/results/{pipeline}</c> for <paramref name="duration"/> and returns what came.</summary>
    public static async Task<IReadOnlyList<ResultRecord>> CollectAsync(MqttConnectionSupervisor connection, MqttTopics topics, string device, string pipeline, TimeSpan duration, TimeProvider timeProvider, Action<int>? onCount, CancellationToken cancellationToken)
    {
        var results = new ConcurrentQueue<ResultRecord>();
        await using (await connection.SubscribeAsync(topics.DeviceResults(device, pipeline), (message, _) =>
        {
            if (ResultRecord.Parse(System.Text.Encoding.UTF8.GetString(message.Payload.Span), timeProvider.GetUtcNow()) is { } record)
            {
                results.Enqueue(record);
                onCount?.Invoke(results.Count);
            }

            return Task.CompletedTask;
        }, cancellationToken: cancellationToken))
        {
            try
            {
                await Task.Delay(duration, timeProvider, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C ends the collection early: plot what came.
            }
        }

        return [.. results];
    }
}
