using System.Diagnostics;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Federated.Simulation;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Learning.Evaluation;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Fleet.Cli;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRuntime.Fleet.Federated.Simulation;

/// <summary>
/// Runs a simulated fleet against a real broker and real aggregators on a simulated clock (<see cref="SimulatedClock"/>).
/// Each device is the daemon's federated parts — local training on ONNX Runtime, <see cref="UpdateBuilder"/>, a durable
/// SQLite outbox, an MQTT connection and the outbox uploader — and the aggregators are <see cref="AggregatorHost"/>s
/// as <c>edgectl aggregator</c> runs them; versions travel through model delivery (signed manifest, chunks). Between
/// events the simulation waits until the system is quiet (every online device's outbox released, every aggregator
/// idle, the newest version delivered), then moves the clock to the next event: a device finishing its round (round
/// times from <see cref="RoundLatency"/>), coming back online, or a FedAvg round's deadline. A simulated day costs the
/// training it contains and the messages it sends, not a day.
/// </summary>
internal sealed partial class FederatedSimulation(BrokerEndpoint broker, string stateDirectory, IProgress<string>? progress = null, ILogger? logger = null)
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(120);

    // The longest time between two quiet checks that counts in full (checks are a few milliseconds apart).
    private static readonly TimeSpan PauseGap = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="setup"/> to its end.</summary>
    public async Task<SimulationResult> RunAsync(SimulationSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var wall = Stopwatch.StartNew();
        var folder = Path.Combine(stateDirectory, $"run-{Guid.NewGuid():N}"[..16]);
        Directory.CreateDirectory(folder);
        var clock = new SimulatedClock(Epoch);
        var random = new Random(setup.Seed);
        var topics = new MqttTopics();
        using var fleetKey = SigningKey.Create();
        using var fleetKeys = TrustedKeys.Of(fleetKey);
        var template = GlobalModel.FromBytes(setup.Template, controlVariates: setup.Scaffold);
        var slowness = setup.Latency.DrawFactors(setup.Devices.Count, random);
        var poisoned = new HashSet<int>(Enumerable.Range(0, setup.Devices.Count).OrderBy(_ => random.Next()).Take((int)Math.Floor(setup.PoisonShare * setup.Devices.Count)));
        var devices = setup.Devices.Select((data, i) => new SimulatedDevice($"d{i:D3}-{Sanitise(data.Name)}", data, slowness[i], poisoned.Contains(i), DeviceKey.Create())).ToList();
        using var enrolled = EnrolledDevices.Of(devices.Select(d => (d.Id, d.Key.PublicKeyPem)));
        var hosts = new List<(AggregatorHost Host, AggregatorCore Core, MqttConnectionSupervisor Connection)>();
        var links = new List<DeviceLink>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = new List<Task>();
        MqttConnectionSupervisor? followerConnection = null;
        GlobalVersionFollower? follower = null;
        try
        {
            // Aggregators: the lead, then members sharing the subscription.
            for (var a = 0; a < setup.Aggregators; a++)
            {
                var role = a == 0 ? AggregatorRole.Lead : AggregatorRole.Member;
                var settings = new AggregatorSettings(setup.Model, a == 0 ? "lead" : $"member{a}", role, Path.Combine(folder, $"aggregator{a}"), setup.Aggregation, ForwardAfter: TimeSpan.Zero);
                var core = AggregatorCore.Open(settings, template, enrolled, fleetKeys.Check, clock, NullLogger.Instance);
                var connection = Connect(broker, $"sim-aggregator{a}-{folder.GetHashCode():x}", clean: true);
                var host = new AggregatorHost(core, connection, topics, fleetKey, fleetKeys, new AggregatorHostOptions
                {
                    ShareGroup = setup.Aggregators > 1 ? "aggregators" : string.Empty,
                    PartialOutboxPath = role == AggregatorRole.Member ? Path.Combine(folder, $"aggregator{a}", "partials-outbox.db") : null,
                    Upload = new OutboxUploadOptions { ReceiptTimeoutSeconds = 10 },
                }, TimeProvider.System);
                hosts.Add((host, core, connection));
                await connection.WaitUntilConnectedAsync(stop.Token);
                await host.StartAsync(stop.Token);
                loops.Add(host.RunAsync(stop.Token));
            }

            var lead = hosts[0];
            followerConnection = Connect(broker, $"sim-follower-{folder.GetHashCode():x}", clean: true);
            await followerConnection.WaitUntilConnectedAsync(stop.Token);
            follower = new GlobalVersionFollower(followerConnection, topics, setup.Model, fleetKeys, template, TimeProvider.System, logger);
            await follower.StartAsync(stop.Token);

            var upload = new OutboxUploadOptions { ReceiptTimeoutSeconds = 10, MaxInFlight = 64 };
            foreach (var device in devices)
            {
                links.Add(new DeviceLink(device.Id, Path.Combine(folder, "devices", $"{device.Id}.db"), broker, topics, fleetKeys, upload));
            }

            await Task.WhenAll(links.Select(l => l.ConnectAsync(stop.Token)));
            await WaitQuietAsync(hosts, links, follower, stop.Token);

            using var accelerator = KernelAccelerator.Create(Core.Compute.KernelPreference.Cpu);
            var builder = new UpdateBuilder(accelerator);
            var noise = GaussianNoise.Seeded(setup.Seed);
            var model = OnnxModelReader.Read(setup.Template, "template.onnx", null);
            using var training = new LocalTraining(model, template.Layout, setup.Local, keepOptimizerState: setup.KeepOptimizerState, learningRateCosine: setup.LocalLearningRateCosine);
            var spells = (setup.Offline ?? []).ToList();
            var produced = new long[devices.Count];
            var points = new List<SimulationPoint>();
            var evaluated = 0L;
            var versionOf = new Dictionary<int, (long Version, float[] Parameters)>();
            var end = Epoch + setup.Duration;
            long updates = 0;

            void Evaluate(bool last = false)
            {
                if (follower.Latest is { } latest && latest.Version > evaluated && (last || (latest.Version - template.TemplateVersion) % Math.Max(1, setup.EvaluateEvery) == 0))
                {
                    evaluated = latest.Version;
                    points.Add(Score(latest, clock.Elapsed, updates, setup));
                    progress?.Report($"{setup.Name}: {Format(clock.Elapsed)} v{latest.Version} validation MAE {points[^1].ValidationMae:0.000} (+1: {points[^1].ValidationMaeFirst:0.000}) test {points[^1].TestMae:0.000} | {Counts(lead.Core)}");
                }
            }

            Evaluate();
            void StartRounds()
            {
                var latest = follower.Latest!;
                for (var i = 0; i < devices.Count; i++)
                {
                    var device = devices[i];
                    if (device.RoundBase is not null)
                    {
                        continue;
                    }

                    // Offline, a device goes on learning from the last version it has; online it takes the newest.
                    var online = device.OfflineUntil is null;
                    var hasLast = versionOf.TryGetValue(i, out var last);
                    var known = online || !hasLast ? (latest.Version, latest.Parameters) : last;

                    // Synchronous rounds: a device that sent its update for this version waits for the next.
                    if (setup.Aggregation.Mode == AggregationMode.FedAvg && hasLast && last.Version >= known.Version)
                    {
                        continue;
                    }

                    versionOf[i] = known;
                    device.StartRound(known.Version, known.Parameters, clock.GetUtcNow() + setup.Latency.Draw(device.Slowness, random));
                }
            }

            StartRounds();
            while (!stop.IsCancellationRequested && (setup.MaxVersions == 0 || lead.Core.Version - template.TemplateVersion < setup.MaxVersions))
            {
                var now = clock.GetUtcNow();
                var next = devices.Where(d => d.RoundBase is not null).Select(d => d.RoundEnds).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
                foreach (var spell in spells)
                {
                    var from = Epoch + spell.From;
                    var to = from + spell.Length;
                    next = Min(next, from > now ? from : to > now ? to : DateTimeOffset.MaxValue);
                }

                if (lead.Core.Plan().CheckAgainAt is { } due && due > now)
                {
                    next = Min(next, due);
                }

                if (next == DateTimeOffset.MaxValue || next > end)
                {
                    break;
                }

                clock.AdvanceTo(next);
                now = clock.GetUtcNow();

                // Offline spells: connections close and reopen; outboxes stay.
                for (var i = 0; i < devices.Count; i++)
                {
                    var offline = spells.Any(s => s.Device == i && now >= Epoch + s.From && now < Epoch + s.From + s.Length);
                    if (offline && links[i].Online)
                    {
                        await links[i].DisconnectAsync();
                        devices[i].OfflineUntil = spells.Where(s => s.Device == i && now >= Epoch + s.From).Max(s => Epoch + s.From + s.Length);
                    }
                    else if (!offline && !links[i].Online)
                    {
                        devices[i].OfflineUntil = null;
                        await links[i].ConnectAsync(stop.Token);
                    }
                }

                foreach (var (device, i) in devices.Select((d, i) => (d, i)).Where(x => x.d.RoundBase is not null && x.d.RoundEnds <= now))
                {
                    var built = device.FinishRound(training, builder, setup.Update, noise, setup.Model, now, random.Next(), device.RoundBase!.Value - template.TemplateVersion);
                    links[i].Outbox.Add(new OutboxMessage(built.Header.UpdateId, OutboxChannel.FederatedUpdate, setup.Model, built.Bytes));
                    produced[i]++;
                    updates++;
                }

                await lead.Host.ProcessAsync(stop.Token);
                await WaitQuietAsync(hosts, links, follower, stop.Token);
                Evaluate();
                StartRounds();
            }

            Evaluate(last: true);
            var final = follower.Latest!;
            using var forecaster = new OnnxForecaster(final.Bytes, $"{setup.Name} v{final.Version}");
            var finalTest = ForecastScores.Of(forecaster, setup.Test);
            var accounts = lead.Core.Accounts();
            var tallies = devices.Select((d, i) =>
            {
                var account = accounts.GetValueOrDefault(d.Id) ?? new DeviceAccount(0, 0, 0, 0, 0, 0);
                return new DeviceTally(d.Id, produced[i], account.Applied, account.Expired, account.Rejected, account.Buffered, links[i].Outbox.PendingCount);
            }).ToList();
            var shares = hosts.Select(h => h.Core.Accounts().Values.Sum(a => a.Total)).ToList();
            return new SimulationResult(setup, points, finalTest, tallies, clock.Elapsed, wall.Elapsed) { AggregatorShares = shares, ControlVariateNorm = ControlNorm(template.Layout, follower.Latest?.Parameters) };
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops.Select(l => l.ContinueWith(_ => { }, TaskScheduler.Default)));
            foreach (var link in links)
            {
                await link.DisposeAsync();
            }

            if (follower is not null)
            {
                await follower.DisposeAsync();
            }

            if (followerConnection is not null)
            {
                await followerConnection.DisposeAsync();
            }

            foreach (var (host, core, connection) in hosts)
            {
                await host.DisposeAsync();
                await connection.DisposeAsync();
                core.Dispose();
            }

            TryDelete(folder);
        }
    }

    private static SimulationPoint Score(DeliveredVersion version, TimeSpan elapsed, long updates, SimulationSetup setup)
    {
        using var forecaster = new OnnxForecaster(version.Bytes, $"v{version.Version}");
        var validation = ForecastScores.Of(forecaster, setup.Validation);
        var test = ForecastScores.Of(forecaster, setup.Test);
        return new SimulationPoint(elapsed, version.Version, Mean(validation), validation.Mae[0], Mean(test), updates);
    }

    /// <summary>The count-weighted mean of a forecaster's per-horizon MAE.</summary>
    public static double Mean(ForecastScores scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        double sum = 0, count = 0;
        for (var h = 0; h < scores.Mae.Count; h++)
        {
            if (scores.Counts[h] > 0)
            {
                sum += scores.Mae[h] * scores.Counts[h];
                count += scores.Counts[h];
            }
        }

        return count > 0 ? sum / count : double.NaN;
    }

    private async Task WaitQuietAsync(List<(AggregatorHost Host, AggregatorCore Core, MqttConnectionSupervisor Connection)> hosts, List<DeviceLink> links, GlobalVersionFollower follower, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        var last = Stopwatch.GetTimestamp();
        var quietChecks = 0;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            waited = CountWaited(waited, Stopwatch.GetElapsedTime(last, now));
            last = now;
            var quiet = links.All(l => !l.Online || l.Outbox.PendingCount == 0)
                && hosts.All(h => h.Host.IsIdle)
                && follower.Latest?.Version == hosts[0].Core.Version;

            // Twice in a row: a message between two checks would show in one of them.
            quietChecks = quiet ? quietChecks + 1 : 0;
            if (quietChecks >= 2)
            {
                return;
            }

            if (waited > QuietTimeout)
            {
                throw new TimeoutException($"the simulated fleet did not settle within {QuietTimeout.TotalSeconds:0} s: {links.Count(l => l.Online && l.Outbox.PendingCount > 0)} device(s) wait for receipts, aggregators idle: {string.Join(", ", hosts.Select(h => h.Host.IsIdle))}, delivered v{follower.Latest?.Version} of v{hosts[0].Core.Version} (announced v{follower.Announced}, {follower.Refused} manifest(s) or fetch(es) refused, {follower.FetchFailures} failed fetch(es){(follower.LastFailure is { } why ? $", last {why}" : string.Empty)})");
            }

            if (!quiet)
            {
                foreach (var (host, _, _) in hosts)
                {
                    await host.ProcessAsync(cancellationToken);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System, cancellationToken);
        }
    }

    /// <summary>
    /// The real time spent waiting for the fleet to settle, with <paramref name="gap"/> (the time since the last check)
    /// added: a gap longer than a second counts as one second — the process was paused
    /// (stopped, suspended, starved of CPU), not the fleet slow — so a pause does not run the timeout out.
    /// </summary>
    public static TimeSpan CountWaited(TimeSpan waited, TimeSpan gap) => waited + (gap > PauseGap ? PauseGap : gap < TimeSpan.Zero ? TimeSpan.Zero : gap);

    private static MqttConnectionSupervisor Connect(BrokerEndpoint broker, string clientId, bool clean)
    {
        var options = new MqttOptions { Server = broker.ToString(), CleanStart = clean, SessionExpirySeconds = clean ? 0 : 86_400, MaxQueuedMessages = 100_000, Reconnect = { InitialDelayMilliseconds = 100, MaxDelayMilliseconds = 2_000 } };
        var connection = BrokerArguments.CreateSupervisor(options, broker, TimeProvider.System, clientId);
        connection.Start();
        return connection;
    }

    private static string Counts(AggregatorCore lead)
    {
        var accounts = lead.Accounts().Values.ToList();
        return $"applied {accounts.Sum(a => a.Applied)}, expired {accounts.Sum(a => a.Expired)}, rejected {accounts.Sum(a => a.Rejected)}, buffered {accounts.Sum(a => a.Buffered)}";
    }

    /// <summary>Simulated time as "1d 02:30" or "02:30:00".</summary>
    public static string Format(TimeSpan elapsed) => elapsed.TotalDays >= 1 ? $"{(int)elapsed.TotalDays}d {elapsed:hh\\:mm}" : $"{elapsed:hh\\:mm\\:ss}";

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string Sanitise(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').Take(40)]);

    // ‖c‖₂ of the fleet's SCAFFOLD control variate in a delivered version; null without control variates.
    private static double? ControlNorm(ParameterLayout layout, float[]? parameters)
    {
        var weights = ControlVariates.ModelLength(layout);
        return parameters is null || weights == layout.Length ? null : ControlVariates.Norm(parameters.AsSpan(weights));
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
