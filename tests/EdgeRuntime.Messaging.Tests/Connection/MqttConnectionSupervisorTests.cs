using System.Collections.Concurrent;
using System.Text;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Testing.Mqtt;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Messaging.Tests.Connection;

/// <summary>The session layer against real brokers, observed by mosquitto_sub / driven by mosquitto_pub.</summary>
public sealed class MqttConnectionSupervisorTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Subscribes a handler that records each payload as text.</summary>
    private static Task<IAsyncDisposable> CollectAsync(MqttConnectionSupervisor supervisor, string filter, ConcurrentQueue<string> sink) =>
        supervisor.SubscribeAsync(filter, (m, _) =>
        {
            sink.Enqueue(Encoding.UTF8.GetString(m.Payload.Span));
            return Task.CompletedTask;
        }, cancellationToken: Cancel);

    /// <summary>A second process of the same client id (same broker session) that records what it receives.</summary>
    private static async Task<(MqttConnectionSupervisor Supervisor, IAsyncDisposable Subscription)> StartSuccessorAsync(string server, string clientId, ConcurrentQueue<string> sink)
    {
        var successor = TestSupervisors.Create(server, clientId);
        var subscription = await CollectAsync(successor, "test/jobs", sink);
        successor.Start();
        return (successor, subscription);
    }

    [Fact]
    public async Task Publish_OnEmbeddedBroker_SeenByIndependentClient()
    {
        var port = FreeTcpPort.Next();
        await using var broker = await EmbeddedMqttBroker.StartAsync(port, TestLogging.For<EmbeddedMqttBroker>());
        await using var observer = await MosquittoSubscriber.StartAsync(port, "test/#");
        await using var supervisor = TestSupervisors.Started($"127.0.0.1:{port}");

        var outcome = await Eventually.CompletesAsync(supervisor.PublishAsync(TestSupervisors.Text("test/hello", "world")), "the broker's PUBACK");

        Assert.Equal(PublishOutcome.Acknowledged, outcome);
        await observer.WaitForAsync(m => m is { Topic: "test/hello", Payload: "world" }, "the message at mosquitto_sub");
    }

    [Fact]
    public async Task Subscribe_MessageFromIndependentPublisher_ReachesHandler()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var supervisor = TestSupervisors.Started(broker.Address);
        var received = new ConcurrentQueue<ReceivedMessage>();
        await supervisor.WaitUntilConnectedAsync(Cancel);
        await using var subscription = await supervisor.SubscribeAsync("test/in/+", (m, _) =>
        {
            received.Enqueue(m);
            return Task.CompletedTask;
        }, cancellationToken: Cancel);

        await MosquittoPublisher.PublishAsync(broker.Port, "test/in/a", "payload-a");

        await Eventually.TrueAsync(() => received.Count == 1, "the handler to receive the message");
        var message = received.Single();
        Assert.Equal("test/in/a", message.Topic);
        Assert.Equal("payload-a", Encoding.UTF8.GetString(message.Payload.Span));
    }

    [Fact]
    public async Task Publish_WhileBrokerKilled_DeliveredInOrderAfterRestart()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var supervisor = TestSupervisors.Started(broker.Address);
        await supervisor.WaitUntilConnectedAsync(Cancel);
        await Eventually.CompletesAsync(supervisor.PublishAsync(TestSupervisors.Text("test/queue/warmup", "0", retain: true)), "the first PUBACK");

        await broker.KillAsync();
        await Eventually.TrueAsync(() => !supervisor.IsConnected, "the supervisor to notice the dead broker");
        var publishes = Enumerable.Range(1, 20)
            .Select(i => supervisor.PublishAsync(TestSupervisors.Text($"test/queue/{i:D2}", $"m{i}", retain: true)))
            .ToList();
        Assert.Equal(20, supervisor.Statistics.Queued);

        await broker.RestartAsync();
        await Eventually.CompletesAsync(Task.WhenAll(publishes), "every queued message to be acknowledged after the restart");

        // The restarted broker has no persistence: what it holds now arrived after the restart.
        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, "test/queue/+");
        await Eventually.TrueAsync(() => observer.Messages.Count(m => m.Topic != "test/queue/warmup") == 20, "20 retained messages at mosquitto_sub");
        Assert.Equal(
            Enumerable.Range(1, 20).Select(i => $"m{i}"),
            observer.Messages.Where(m => m.Topic != "test/queue/warmup").OrderBy(m => m.Topic, StringComparer.Ordinal).Select(m => m.Payload));
        Assert.Equal(0, supervisor.Statistics.Queued);
        Assert.Equal(1, supervisor.Statistics.SessionsLost);
    }

    [Fact]
    public async Task Reconnect_AfterBrokerLostSession_ResubscribesAndReceives()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var supervisor = TestSupervisors.Started(broker.Address);
        var received = new ConcurrentQueue<string>();
        await using var subscription = await CollectAsync(supervisor, "test/cmd/#", received);
        await supervisor.WaitUntilConnectedAsync(Cancel);
        await MosquittoPublisher.PublishAsync(broker.Port, "test/cmd/x", "before");
        await Eventually.TrueAsync(() => received.Contains("before"), "the message before the restart");

        await broker.KillAsync();
        await broker.RestartAsync();
        await Eventually.TrueAsync(() => supervisor.Statistics is { IsConnected: true, SessionsLost: 1 }, "a reconnect that reports the lost session");
        await Eventually.TrueAsync(
            () =>
            {
                MosquittoPublisher.PublishAsync(broker.Port, "test/cmd/x", "after").GetAwaiter().GetResult();
                return received.Contains("after");
            },
            "a message published after the restart to reach the re-subscribed handler");
    }

    [Fact]
    public async Task Reconnect_SessionKeptByBroker_DoesNotResubscribeAndStillReceives()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var proxy = TcpFaultProxy.Start(broker.Port);
        var clientId = $"test-kept-{Guid.NewGuid():N}";
        await using var supervisor = TestSupervisors.Started(proxy.Address, clientId);
        var received = new ConcurrentQueue<string>();
        await using var subscription = await CollectAsync(supervisor, "test/kept", received);
        await supervisor.WaitUntilConnectedAsync(Cancel);

        proxy.DropAllConnections();
        await Eventually.TrueAsync(() => proxy.ConnectionsAccepted >= 2 && supervisor.IsConnected, "the reconnect through the proxy");

        await MosquittoPublisher.PublishAsync(broker.Port, "test/kept", "still here");
        await Eventually.TrueAsync(() => received.Contains("still here"), "delivery through the kept session");
        Assert.Equal(0, supervisor.Statistics.SessionsLost);
        var subscribes = broker.ReadLog().Split('\n').Count(l => l.Contains($"Received SUBSCRIBE from {clientId}", StringComparison.Ordinal));
        Assert.Equal(1, subscribes);
    }

    [Fact]
    public async Task Reconnect_ConnectedHandlerStillRunning_DoesNotHoldUpTheNextConnection()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var proxy = TcpFaultProxy.Start(broker.Port);
        await using var supervisor = TestSupervisors.Create(proxy.Address);
        var neverCompletes = new TaskCompletionSource();
        var calls = 0;

        // Like a handler awaiting a PUBACK that only a later connection can bring.
        using var registration = supervisor.OnConnected((_, _) =>
        {
            Interlocked.Increment(ref calls);
            return neverCompletes.Task;
        });
        supervisor.Start();
        await Eventually.TrueAsync(() => Volatile.Read(ref calls) == 1, "the handler on the first connection");

        proxy.DropAllConnections();

        await Eventually.TrueAsync(() => Volatile.Read(ref calls) == 2 && supervisor.IsConnected, "a second connection despite the first handler still running");
    }

    [Fact]
    public async Task Publish_ManyMessages_InFlightNeverExceedsBrokersReceiveMaximum()
    {
        const int receiveMaximum = 3;
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: [$"max_inflight_messages {receiveMaximum}"]);
        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, "test/burst/+");
        await using var supervisor = TestSupervisors.Started(broker.Address);
        await supervisor.WaitUntilConnectedAsync(Cancel);

        var publishes = Enumerable.Range(0, 300).Select(i => supervisor.PublishAsync(TestSupervisors.Text($"test/burst/{i}", $"{i}"))).ToList();
        await Eventually.CompletesAsync(Task.WhenAll(publishes), "300 PUBACKs");

        await Eventually.TrueAsync(() => observer.Messages.Count == 300, "300 messages at mosquitto_sub");
        var statistics = supervisor.Statistics;
        Assert.InRange(statistics.MaxInFlight, 1, receiveMaximum);
        Assert.Equal(300, statistics.Acknowledged);
    }

    [Fact]
    public async Task Incoming_HandlerDidNotFinish_BrokerRedeliversToNextConnectionOfSameClient()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var clientId = $"test-worker-{Guid.NewGuid():N}";
        var blocked = new TaskCompletionSource();
        var firstSaw = new ConcurrentQueue<string>();

        var first = TestSupervisors.Started(broker.Address, clientId);
        await using (await first.SubscribeAsync("test/jobs", async (m, ct) =>
        {
            firstSaw.Enqueue(Encoding.UTF8.GetString(m.Payload.Span));
            await blocked.Task.WaitAsync(ct);
        }, cancellationToken: Cancel))
        {
            await first.WaitUntilConnectedAsync(Cancel);
            await MosquittoPublisher.PublishAsync(broker.Port, "test/jobs", "job-1");
            await Eventually.TrueAsync(() => firstSaw.Contains("job-1"), "the first process to start the job");

            // The "process" stops before its handler finished: no acknowledgement was sent.
            await first.DisposeAsync();
        }

        var secondSaw = new ConcurrentQueue<string>();
        var (second, subscription) = await StartSuccessorAsync(broker.Address, clientId, secondSaw);
        await using var _ = second;
        await using var __ = subscription;

        await Eventually.TrueAsync(() => secondSaw.Contains("job-1"), "the unacknowledged job to be delivered again");
    }

    [Fact]
    public async Task Incoming_HandlerFinished_AcknowledgedSoNextConnectionDoesNotSeeItAgain()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var clientId = $"test-worker-{Guid.NewGuid():N}";
        var handled = new ConcurrentQueue<string>();

        var first = TestSupervisors.Started(broker.Address, clientId);
        await using (await CollectAsync(first, "test/jobs", handled))
        {
            await first.WaitUntilConnectedAsync(Cancel);
            await MosquittoPublisher.PublishAsync(broker.Port, "test/jobs", "job-1");
            await Eventually.TrueAsync(() => handled.Contains("job-1"), "the job to be handled");
            await Eventually.TrueAsync(() => broker.ReadLog().Contains($"Received PUBACK from {clientId}", StringComparison.Ordinal), "the broker to log the PUBACK");
            await first.DisposeAsync();
        }

        var secondSaw = new ConcurrentQueue<string>();
        var (second, subscription) = await StartSuccessorAsync(broker.Address, clientId, secondSaw);
        await using var _ = second;
        await using var __ = subscription;
        await second.WaitUntilConnectedAsync(Cancel);

        // A redelivery would come first on the resumed session; a fresh marker after it proves nothing came.
        await MosquittoPublisher.PublishAsync(broker.Port, "test/jobs", "marker");
        await Eventually.TrueAsync(() => secondSaw.Contains("marker"), "the marker");
        Assert.Equal(["marker"], secondSaw);
    }

    /// <summary>
    /// A process of <paramref name="clientId"/> subscribes <c>test/jobs</c> and stops, leaving the broker a kept session;
    /// then mosquitto_pub sends <paramref name="payload"/>, which the broker queues for the next process.
    /// </summary>
    private static async Task QueueForNextProcessAsync(MosquittoBroker broker, string clientId, string payload)
    {
        var first = TestSupervisors.Started(broker.Address, clientId);
        await using (await CollectAsync(first, "test/jobs", new ConcurrentQueue<string>()))
        {
            await first.WaitUntilConnectedAsync(Cancel);
            await Eventually.TrueAsync(() => broker.ReadLog().Contains($"Sending SUBACK to {clientId}", StringComparison.Ordinal), "the subscription");
            await first.DisposeAsync();
        }

        await MosquittoPublisher.PublishAsync(broker.Port, "test/jobs", payload);
    }

    private static int Count(string log, string what) => log.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));

    [Fact]
    public async Task Incoming_KeptSessionDeliversBeforeTheHandlerSubscribes_MessageIsHeldAndHandedToIt()
    {
        // The daemon connects first and its services subscribe as they start; the session's queue arrives in between.
        await using var broker = await MosquittoBroker.StartAsync();
        var clientId = $"test-late-{Guid.NewGuid():N}";
        await QueueForNextProcessAsync(broker, clientId, "queued-while-offline");

        await using var second = TestSupervisors.Started(broker.Address, clientId, holdAtStart: ["test/jobs"]);
        await second.WaitUntilConnectedAsync(Cancel);
        await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Sending PUBLISH to {clientId}") >= 1, "the broker to deliver the queued message");
        Assert.Equal(0, Count(broker.ReadLog(), $"Received PUBACK from {clientId}"));

        var handled = new ConcurrentQueue<string>();
        await using var subscription = await CollectAsync(second, "test/jobs", handled);
        await Eventually.TrueAsync(() => handled.Contains("queued-while-offline"), "the held message to reach the handler that subscribed late");
        await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Received PUBACK from {clientId}") == 1, "the acknowledgement once handled");
        Assert.Equal(["queued-while-offline"], handled);
    }

    [Fact]
    public async Task Incoming_NoHandlerClaimsItAtStart_AcknowledgedAndDroppedWhenTheStartEnds_HeldOnesComeBackAfterARestart()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var clientId = $"test-unclaimed-{Guid.NewGuid():N}";
        await QueueForNextProcessAsync(broker, clientId, "nobody-wants-this");

        // A process that stops while holding it has not acknowledged it: the next one gets it again.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var holder = TestSupervisors.Create(broker.Address, clientId, timeProvider: time);
        holder.HoldAtStartFor("test/jobs");
        holder.Start();
        await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Sending PUBLISH to {clientId}") >= 1, "the first delivery");
        await holder.DisposeAsync();

        var logger = new FakeLogger<MqttConnectionSupervisor>();
        await using var last = TestSupervisors.Create(broker.Address, clientId, logger: logger, timeProvider: time);
        last.HoldAtStartFor("test/jobs");
        last.Start();
        await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Sending PUBLISH to {clientId}") >= 2, "the second delivery of the unacknowledged message");
        Assert.Equal(0, Count(broker.ReadLog(), $"Received PUBACK from {clientId}"));

        await last.WaitUntilConnectedAsync(Cancel);
        time.Advance(MqttConnectionSupervisor.HoldAtStart);
        await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Received PUBACK from {clientId}") == 1, "the acknowledgement when the start ends");
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Message == "MQTT message on test/jobs acknowledged and dropped: no handler subscribed to it within 30 s of the start");

        // Started, a message without a handler is a leftover: acknowledged at once, so none holds a slot of the broker's
        // in-flight window (a held chunk per finished download once stalled every delivery to the device).
        await MosquittoPublisher.PublishAsync(broker.Port, "test/jobs", "leftover");
        await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Received PUBACK from {clientId}") == 2, "the leftover acknowledged without waiting");
    }

    [Fact]
    public async Task Incoming_ACommandQueuedBeforeManyLeftovers_StillReachesTheHandlerThatSubscribesLate_AndTheLeftoversAreAcknowledgedAtOnce()
    {
        // Chunks kept in the session by a run that crashed mid-download must not push a fleet command out of the hold.
        await using var broker = await MosquittoBroker.StartAsync();
        var clientId = $"test-crowded-{Guid.NewGuid():N}";
        var first = TestSupervisors.Started(broker.Address, clientId);
        await using (await CollectAsync(first, "test/cmd", new ConcurrentQueue<string>()))
        await using (await CollectAsync(first, "test/chunks/#", new ConcurrentQueue<string>()))
        {
            await first.WaitUntilConnectedAsync(Cancel);
            await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Sending SUBACK to {clientId}") >= 2, "the subscriptions");
            await first.DisposeAsync();
        }

        await MosquittoPublisher.PublishAsync(broker.Port, "test/cmd", "deploy-7");
        const int leftovers = 12;
        for (var i = 0; i < leftovers; i++)
        {
            await MosquittoPublisher.PublishAsync(broker.Port, $"test/chunks/{i}", $"chunk-{i}");
        }

        await using var second = TestSupervisors.Started(broker.Address, clientId, holdAtStart: ["test/cmd"]);
        await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Sending PUBLISH to {clientId}") >= leftovers + 1, "the session's queue");

        // The chunks' topic is not one the daemon holds: they are acknowledged at once and keep no slot of the broker's
        // in-flight window (20 by default), however many of them a crashed run left.
        await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Received PUBACK from {clientId}") == leftovers, "the leftovers acknowledged at once");
        var commands = new ConcurrentQueue<string>();
        await using var subscription = await CollectAsync(second, "test/cmd", commands);
        await Eventually.TrueAsync(() => commands.Contains("deploy-7"), "the command held behind the leftovers");
    }

    [Fact]
    public async Task Incoming_HeldWhenTheConnectionDrops_HandledOnceAfterTheSessionResumes()
    {
        // The broker sends an unacknowledged message again on the resumed session: the copy held from the lost
        // connection must not be handed over as well.
        await using var broker = await MosquittoBroker.StartAsync();
        await using var proxy = TcpFaultProxy.Start(broker.Port);
        var clientId = $"test-resumed-{Guid.NewGuid():N}";
        await QueueForNextProcessAsync(broker, clientId, "job-1");

        await using var second = TestSupervisors.Started(proxy.Address, clientId, holdAtStart: ["test/jobs"]);
        await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Sending PUBLISH to {clientId}") >= 1, "the first delivery");
        proxy.DropAllConnections();
        await Eventually.TrueAsync(() => Count(broker.ReadLog(), $"Sending PUBLISH to {clientId}") >= 2 && second.IsConnected, "the delivery on the resumed session");

        var handled = new ConcurrentQueue<string>();
        await using var jobs = await CollectAsync(second, "test/jobs", handled);
        await Eventually.TrueAsync(() => handled.Contains("job-1"), "the held message");
        Assert.False(await Eventually.HoldsWithinAsync(() => handled.Count > 1, TimeSpan.FromSeconds(1)), $"handled twice: {string.Join(", ", handled)}");
    }

    [Fact]
    public async Task Publish_QueueFull_RefusedWithErrorAndNothingDropped()
    {
        // No broker listens here: everything stays queued.
        await using var supervisor = TestSupervisors.Create($"127.0.0.1:{FreeTcpPort.Next()}", maxQueuedMessages: 3);
        supervisor.Start();
        var queued = Enumerable.Range(0, 3).Select(i => supervisor.PublishAsync(TestSupervisors.Text($"t/{i}", "x"))).ToList();

        var ex = Assert.Throws<OutgoingQueueFullException>(() => { _ = supervisor.PublishAsync(TestSupervisors.Text("t/overflow", "x")); });

        Assert.Equal(3, ex.Capacity);
        Assert.Equal(3, supervisor.Statistics.Queued);
        Assert.Equal(1, supervisor.Statistics.Rejected);
        Assert.All(queued, t => Assert.False(t.IsCompleted));
    }

    [Fact]
    public async Task Connect_PasswordFromPasswordFile_AcceptedByBrokerThatRequiresIt()
    {
        var directory = Directory.CreateTempSubdirectory("edge-credentials-").FullName;
        var brokerPasswords = Path.Combine(directory, "passwords");
        var devicePassword = Path.Combine(directory, "device-password");
        File.WriteAllText(devicePassword, "s3cret-for-device\n");
        await using (var tool = EdgeRuntime.Testing.Processes.ChildProcess.Start(ExternalTool.Require("mosquitto_passwd"), ["-c", "-b", brokerPasswords, "device-7", "s3cret-for-device"]))
        {
            Assert.Equal(0, await tool.WaitForExitAsync());
        }

        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(brokerPasswords, (UnixFileMode)0b110_100_100);
        try
        {
            await using var broker = await MosquittoBroker.StartAsync(extraConfig: ["allow_anonymous false", $"password_file {brokerPasswords}"]);
            await using var supervisor = TestSupervisors.Started(broker.Address, configure: o =>
            {
                o.Username = "device-7";
                o.PasswordFile = devicePassword;
            });

            await supervisor.WaitUntilConnectedAsync(Cancel).WaitAsync(Eventually.DefaultTimeout, TimeProvider.System, Cancel);
            Assert.Contains("u'device-7'", broker.ReadLog(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Connect_WrongCredentials_KeepsRetryingAndLogsRefusal()
    {
        var passwordFile = Path.Combine(Path.GetTempPath(), $"edge-pw-{Guid.NewGuid():N}");
        File.WriteAllText(passwordFile, string.Empty);
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: ["allow_anonymous false", $"password_file {passwordFile}"]);
        await using var supervisor = TestSupervisors.Started(broker.Address, configure: o =>
        {
            o.Username = "device";
            o.Password = "wrong";
        });

        await Eventually.TrueAsync(() => broker.ReadLog().Split('\n').Count(l => l.Contains("not authorised", StringComparison.OrdinalIgnoreCase)) >= 2, "at least two refused attempts");
        Assert.False(supervisor.IsConnected);
        File.Delete(passwordFile);
    }
}
