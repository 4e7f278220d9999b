using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Fleet.Status;

/// <summary>
/// Subscribes to every device's status and keeps the latest per device. The broker sends the retained
/// documents first; <see cref="WaitForRetainedAsync"/> returns once they stop arriving.
/// </summary>
internal sealed class DeviceStatusCollector(MqttConnectionSupervisor supervisor, MqttTopics topics, TimeProvider timeProvider) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, DeviceListing> _devices = new(StringComparer.Ordinal);
    private readonly Channel<DeviceListing> _changes = Channel.CreateUnbounded<DeviceListing>();
    private long _lastArrival;
    private long _arrivals;

    /// <summary>The wait for the first retained status: a loaded machine can take longer than the quiet period to hand it over.</summary>
    private static readonly TimeSpan FirstArrival = TimeSpan.FromSeconds(1);
    private IAsyncDisposable? _subscription;

    /// <summary>Every change, in arrival order (for --watch).</summary>
    public ChannelReader<DeviceListing> Changes => _changes.Reader;

    /// <summary>The latest listing of every device, ordered by id.</summary>
    public IReadOnlyList<DeviceListing> Snapshot() => [.. _devices.Values.OrderBy(d => d.DeviceId, StringComparer.Ordinal)];

    /// <summary>Connects and subscribes.</summary>
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

        _subscription = await supervisor.SubscribeAsync(topics.AllDeviceStatuses, OnStatusAsync, cancellationToken: cancellationToken);

        // The quiet period starts at the SUBACK, after which the broker sends the retained documents; started before
        // the subscribe, a loaded machine's round trip used it up and the listing came out empty.
        Interlocked.CompareExchange(ref _lastArrival, timeProvider.GetTimestamp(), 0);
    }

    /// <summary>Returns once no status arrived for <paramref name="quietPeriod"/> (at least a second before the first one), or after <paramref name="maximum"/>.</summary>
    public async Task WaitForRetainedAsync(TimeSpan quietPeriod, TimeSpan maximum, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var step = TimeSpan.FromMilliseconds(Math.Max(10, quietPeriod.TotalMilliseconds / 5));
        while (timeProvider.GetElapsedTime(Interlocked.Read(ref _lastArrival)) < (Interlocked.Read(ref _arrivals) == 0 && quietPeriod < FirstArrival ? FirstArrival : quietPeriod) &&
               timeProvider.GetElapsedTime(started) < maximum)
        {
            await Task.Delay(step, timeProvider, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }

        await supervisor.DisposeAsync();
    }

    private Task OnStatusAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var deviceId = topics.DeviceIdOfStatusTopic(message.Topic);
        if (deviceId is null)
        {
            return Task.CompletedTask;
        }

        var raw = Encoding.UTF8.GetString(message.Payload.Span);
        DeviceListing listing;
        if (message.Payload.IsEmpty)
        {
            // An empty retained message clears the topic: the device was removed from the fleet.
            _devices.TryRemove(deviceId, out _);
            listing = new DeviceListing(deviceId, null, "removed", raw);
        }
        else
        {
            var status = DeviceStatusJson.TryParse(message.Payload.Span, out var problem);
            listing = new DeviceListing(deviceId, status, problem, raw);
            _devices[deviceId] = listing;
        }

        Interlocked.Exchange(ref _lastArrival, timeProvider.GetTimestamp());
        Interlocked.Increment(ref _arrivals);
        _changes.Writer.TryWrite(listing);
        return Task.CompletedTask;
    }
}

/// <summary>The broker could not be reached; the message is the one line to show.</summary>
internal sealed class BrokerUnreachableException(string endpoint, string reason)
    : Exception($"cannot reach the broker {endpoint}: {reason}");
