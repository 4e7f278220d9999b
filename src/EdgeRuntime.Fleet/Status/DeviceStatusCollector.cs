using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Fleet.Status;

/// <summary>
/// Subscribes to every device's status and keeps the latest per device. The broker sends the retained documents
/// when the subscription is made; to know when it has sent them all, the collector then publishes a marker to a
/// topic of its own that it subscribed to first: the broker handles the client's packets in order, so the marker
/// comes back after the retained statuses. <see cref="WaitForRetainedAsync"/> returns once the marker is back and no
/// status arrived for a short quiet period, or at the caller's limit (a broker whose ACL refuses the marker).
/// </summary>
internal sealed class DeviceStatusCollector(MqttConnectionSupervisor supervisor, MqttTopics topics, TimeProvider timeProvider) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, DeviceListing> _devices = new(StringComparer.Ordinal);
    private readonly Channel<DeviceListing> _changes = Channel.CreateUnbounded<DeviceListing>();
    private readonly TaskCompletionSource _markerBack = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IAsyncDisposable> _subscriptions = [];
    private long _lastArrival;

    /// <summary>The marker's topic: private to this client.</summary>
    public string MarkerTopic => $"{topics.Root}/tools/{supervisor.ClientId}/sync";

    /// <summary>Every change, in arrival order (for --watch).</summary>
    public ChannelReader<DeviceListing> Changes => _changes.Reader;

    /// <summary>The latest listing of every device, ordered by id.</summary>
    public IReadOnlyList<DeviceListing> Snapshot() => [.. _devices.Values.OrderBy(d => d.DeviceId, StringComparer.Ordinal)];

    /// <summary>Connects, subscribes, and sends the end-of-retained marker.</summary>
    /// <exception cref="BrokerUnreachableException">No connection within <paramref name="connectTimeout"/>.</exception>
    public async Task StartAsync(TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        supervisor.Start();
        try
        {
            await supervisor.WaitUntilConnectedAsync(cancellationToken).WaitAsync(connectTimeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new BrokerUnreachableException(supervisor.Endpoint, supervisor.LastConnectError ?? $"no answer within {connectTimeout.TotalSeconds:F0} s");
        }

        Interlocked.Exchange(ref _lastArrival, timeProvider.GetTimestamp());
        _subscriptions.Add(await supervisor.SubscribeAsync(MarkerTopic, OnMarkerAsync, cancellationToken: cancellationToken));
        _subscriptions.Add(await supervisor.SubscribeAsync(topics.AllDeviceStatuses, OnStatusAsync, cancellationToken: cancellationToken));
        try
        {
            // A broker whose ACL refuses the marker fails this task; the caller's limit then ends the wait.
            _ = supervisor.PublishAsync(new OutgoingMessage(MarkerTopic, "end of retained"u8.ToArray()))
                .ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        catch (OutgoingQueueFullException)
        {
            // Without the marker the caller's limit ends the wait.
        }
    }

    /// <summary>
    /// Returns once the marker came back and no status arrived for <paramref name="quietPeriod"/> after it, or after
    /// <paramref name="maximum"/> in any case.
    /// </summary>
    public async Task WaitForRetainedAsync(TimeSpan quietPeriod, TimeSpan maximum, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var step = TimeSpan.FromMilliseconds(Math.Clamp(quietPeriod.TotalMilliseconds / 5, 5, 50));
        while (timeProvider.GetElapsedTime(started) < maximum &&
               !(_markerBack.Task.IsCompleted && timeProvider.GetElapsedTime(Interlocked.Read(ref _lastArrival)) >= quietPeriod))
        {
            await Task.Delay(step, timeProvider, cancellationToken);
        }
    }

    /// <summary>Waits until no status arrived for <paramref name="quietPeriod"/> (at most <paramref name="maximum"/>), to draw a burst of changes once.</summary>
    public async Task WaitForQuietAsync(TimeSpan quietPeriod, TimeSpan maximum, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        while (timeProvider.GetElapsedTime(Interlocked.Read(ref _lastArrival)) < quietPeriod && timeProvider.GetElapsedTime(started) < maximum)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), timeProvider, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }

        await supervisor.DisposeAsync();
    }

    private Task OnMarkerAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        // The marker went through the same queue as the retained statuses; give their handler the quiet period from here.
        Interlocked.Exchange(ref _lastArrival, timeProvider.GetTimestamp());
        _markerBack.TrySetResult();
        return Task.CompletedTask;
    }

    private Task OnStatusAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var deviceId = topics.DeviceIdOfStatusTopic(message.Topic);
        if (deviceId is null)
        {
            return Task.CompletedTask;
        }

        DeviceListing listing;
        if (message.Payload.IsEmpty)
        {
            // An empty retained message clears the topic: the device was removed from the fleet.
            _devices.TryRemove(deviceId, out _);
            listing = new DeviceListing(deviceId, null, "removed", string.Empty);
        }
        else
        {
            listing = DeviceListing.Parse(deviceId, message.Payload.Span);
            _devices[deviceId] = listing;
        }

        Interlocked.Exchange(ref _lastArrival, timeProvider.GetTimestamp());
        _changes.Writer.TryWrite(listing);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The broker could not be reached, or refused the connection; the message is the one line to show (with a hint on the
/// local credential when a broker on this machine refused the login).
/// </summary>
internal sealed class BrokerUnreachableException(string endpoint, string reason)
    : Exception(reason.StartsWith($"MQTT broker {endpoint} refused", StringComparison.Ordinal)
        ? $"the broker {reason["MQTT broker ".Length..]}{Hint(endpoint, reason)}"
        : $"cannot reach the broker {endpoint}: {reason}")
{
    private static string Hint(string endpoint, string reason) =>
        reason.Contains("(0x86)", StringComparison.Ordinal) &&
        BrokerEndpoint.TryParse(endpoint, out var parsed, out _) && LocalBrokerLogin.IsThisMachine(parsed!)
            ? LocalBrokerLogin.RefusalHint
            : string.Empty;
}
