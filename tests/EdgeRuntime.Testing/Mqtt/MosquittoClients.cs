using System.Collections.Concurrent;
using EdgeRuntime.Testing.Processes;
using Xunit;

namespace EdgeRuntime.Testing.Mqtt;

/// <summary>A message as mosquitto_sub printed it.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Payload">The payload as text.</param>
public sealed record ObservedMessage(string Topic, string Payload);

/// <summary>
/// mosquitto_sub as an independent observer: a client that shares no code with EdgeRuntime. Every line it
/// prints is kept in order. Dispose to stop it.
/// </summary>
public sealed class MosquittoSubscriber : IAsyncDisposable
{
    private readonly ConcurrentQueue<ObservedMessage> _messages = new();
    private readonly ChildProcess _process;

    private MosquittoSubscriber(string filter, int port, MqttLogin? login, IEnumerable<string> extraArguments)
    {
        var arguments = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", filter, "-v", "-V", "mqttv5", "-q", "1" };
        arguments.AddRange(login?.Arguments ?? []);
        arguments.AddRange(extraArguments);
        _process = ChildProcess.Start(ExternalTool.Require("mosquitto_sub"), arguments, onLine: OnLine);
    }

    /// <summary>Everything received so far, in order.</summary>
    public IReadOnlyCollection<ObservedMessage> Messages => _messages;

    /// <summary>Subscribes to <paramref name="filter"/> on 127.0.0.1:<paramref name="port"/> and waits until the subscription is live.</summary>
    public static Task<MosquittoSubscriber> StartAsync(int port, string filter, params string[] extraArguments) =>
        StartAsync(port, login: null, filter, extraArguments);

    /// <summary>Subscribes to <paramref name="filter"/> on 127.0.0.1:<paramref name="port"/>, logged in as <paramref name="login"/>, and waits until the subscription is live.</summary>
    public static async Task<MosquittoSubscriber> StartAsync(int port, MqttLogin? login, string filter, params string[] extraArguments)
    {
        var subscriber = new MosquittoSubscriber(filter, port, login, extraArguments);

        // mosquitto_sub prints nothing when subscribed; a marker message on a private topic proves the subscription is live.
        var probeTopic = $"edge-test-probe/{Guid.NewGuid():N}";
        await using var probe = new MosquittoSubscriber(probeTopic, port, login, []);
        await Eventually.TrueAsync(
            () =>
            {
                MosquittoPublisher.PublishAsync(port, probeTopic, "ping", login: login).GetAwaiter().GetResult();
                return !probe._messages.IsEmpty || probe._process.HasExited;
            },
            $"mosquitto_sub to connect to 127.0.0.1:{port}");
        if (probe._process.HasExited)
        {
            throw new InvalidOperationException($"mosquitto_sub exited: {probe._process.DescribeOutput()}");
        }

        return subscriber;
    }

    /// <summary>Waits for a message that satisfies <paramref name="predicate"/> (one seen already counts).</summary>
    public async Task<ObservedMessage> WaitForAsync(Func<ObservedMessage, bool> predicate, string what, TimeSpan? timeout = null)
    {
        ObservedMessage? found = null;
        await Eventually.TrueAsync(
            () =>
            {
                found = _messages.FirstOrDefault(predicate);
                return found is not null;
            },
            $"{what}; mosquitto_sub saw: {string.Join(" | ", _messages.Select(m => $"{m.Topic} {Truncate(m.Payload)}"))}",
            timeout);
        return found!;
    }

    /// <summary>Forgets what was received so far, so the next wait sees only new messages.</summary>
    public void Clear() => _messages.Clear();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string Truncate(string text) => text.Length <= 120 ? text : text[..120] + "…";

    private void OnLine(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        _messages.Enqueue(space < 0 ? new ObservedMessage(line, string.Empty) : new ObservedMessage(line[..space], line[(space + 1)..]));
    }
}

/// <summary>mosquitto_pub as an independent publisher.</summary>
public static class MosquittoPublisher
{
    /// <summary>Publishes one message (QoS 1) and waits for mosquitto_pub to finish; fails the test if it fails.</summary>
    /// <param name="port">The broker's port on 127.0.0.1.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="payload">The payload, as text.</param>
    /// <param name="retain">Whether the broker retains it.</param>
    /// <param name="login">The user name and password to log in with, or null.</param>
    /// <param name="responseTopic">An MQTT 5 response topic to send with it (a request), or null.</param>
    public static async Task PublishAsync(int port, string topic, string payload, bool retain = false, MqttLogin? login = null, string? responseTopic = null)
    {
        string[] message = responseTopic is null ? ["-m", payload] : ["-m", payload, "-D", "publish", "response-topic", responseTopic];
        var (exit, output) = await TryPublishAsync(port, topic, message, retain, login);
        Assert.True(exit == 0, $"mosquitto_pub failed ({exit}): {output}");
    }

    /// <summary>
    /// Runs mosquitto_pub once (QoS 1) with <paramref name="message"/> as its message options (<c>-m TEXT</c>, <c>-f FILE</c>,
    /// <c>-V mqttv311</c>, <c>-D …</c>) and returns its exit code and output, for publishes a test expects to fail.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> TryPublishAsync(int port, string topic, IEnumerable<string> message, bool retain = false, MqttLogin? login = null)
    {
        var arguments = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", topic, "-q", "1", "-V", "mqttv5" };
        arguments.AddRange(login?.Arguments ?? []);
        arguments.AddRange(message);
        if (retain)
        {
            arguments.Add("-r");
        }

        await using var process = ChildProcess.Start(ExternalTool.Require("mosquitto_pub"), arguments);
        var exit = await process.WaitForExitAsync();
        return (exit, process.DescribeOutput());
    }
}
