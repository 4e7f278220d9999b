using System.CommandLine;
using System.Globalization;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Simulation;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Fleet.Federated.Simulation;
using EdgeRuntime.Fleet.Learning;
using EdgeRuntime.Fleet.Plot;
using EdgeRuntime.Learning.Evaluation;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Sensors.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRuntime.Fleet.Federated;

/// <summary>
/// <c>edgectl fl simulate</c>: a simulated fleet — one device per stream of a recording (or of the traffic simulator),
/// some slow, some offline, some attackers — learning federated against a real broker (embedded, or Mosquitto with
/// <c>--broker</c>) and one or two real aggregators, on a simulated clock. Runs every combination of the listed
/// strategies, combination rules, attacker shares and seeds; prints each version's MAE and the updates received,
/// applied, expired and rejected, then a summary (with <c>--compare</c>, beside central and local-only training), the
/// time FedBuff needed to reach FedAvg's final MAE, what attackers did to each rule, and writes the plot.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var data = new RecordingArguments();
        var aggregation = new AggregationArguments();
        var devices = new Option<int?>("--devices") { Description = "Devices (the first N streams; default: every stream)" };
        var keep = new Option<string?>("--keep") { Description = "Each device holds only this much of its newest training data (e.g. 12h)" };
        var strategies = new Option<string>("--strategy") { Description = "fedavg, fedbuff, or both comma-separated", DefaultValueFactory = _ => "fedbuff" };
        var seeds = new Option<string>("--seeds") { Description = "Seeds, comma-separated (latencies, slow devices, attackers)", DefaultValueFactory = _ => "1" };
        var poison = new Option<string>("--poison") { Description = "Shares of devices sending sign-flipped updates ×10, comma-separated (e.g. 0,0.2)", DefaultValueFactory = _ => "0" };
        var slow = new Option<double>("--slow") { Description = "Share of devices whose rounds take 5–10× longer", DefaultValueFactory = _ => 0 };
        var round = new Option<string>("--round") { Description = "Median local round of a normal device (log-normal, σ from --sigma)", DefaultValueFactory = _ => "60s" };
        var sigma = new Option<double>("--sigma") { Description = "σ of the log-normal round times", DefaultValueFactory = _ => 0.3 };
        var offline = new Option<string[]>("--offline") { Description = "DEVICE:FROM:LENGTH, e.g. 3:2h:24h (repeatable): device 3 is offline from 2 h for a day" };
        var duration = new Option<string>("--duration") { Description = "Simulated time to run", DefaultValueFactory = _ => "6h" };
        var evaluateEvery = new Option<int>("--evaluate-every") { Description = "Score every Nth version on the held-out and test data (and the last); 1 scores every one", DefaultValueFactory = _ => 1 };
        var maxVersions = new Option<int>("--max-versions") { Description = "Stop after this many new versions (0: only --duration)", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--epochs") { Description = "Local epochs per round", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch-size") { Description = "Local batch size", DefaultValueFactory = _ => 32 };
        var rate = new Option<double>("--learning-rate") { Description = "Local learning rate", DefaultValueFactory = _ => 1e-3 };
        var localOptimizer = new Option<string>("--local-optimizer") { Description = "adam (a fresh Adam each round) or sgd (plain SGD, with --momentum within a round)", DefaultValueFactory = _ => "adam" };
        var keepState = new Option<bool>("--keep-optimizer-state") { Description = "Each device's local optimiser continues from its previous round (moments kept) instead of starting fresh" };
        var localCosine = new Option<int>("--local-lr-cosine") { Description = "N: each device's local learning rate follows a cosine from --learning-rate to 0 over the first N versions (the rate of a round is set by the version it starts from; shrinks FedAvg's client drift as the campaign ends); 0 keeps it constant", DefaultValueFactory = _ => 0 };
        var scaffold = new Option<bool>("--scaffold") { Description = "SCAFFOLD: devices correct every local gradient by c − cᵢ (the fleet's mean gradient minus the device's own) against client drift; updates carry cᵢ, the aggregator sets c to their mean and each version's file carries it (mean rule only, no --noise)" };
        var momentum = new Option<double>("--momentum") { Description = "Local SGD momentum within a round", DefaultValueFactory = _ => 0 };
        var updateClip = new Option<double>("--update-clip") { Description = "The devices' L2 bound on an update (with --scaffold, on each half apart: the weights' change and the control variate)", DefaultValueFactory = _ => 1.0 };
        var noise = new Option<double>("--noise") { Description = "Gaussian noise multiplier z (σ = z × --update-clip); 0 = none", DefaultValueFactory = _ => 0 };
        var encoding = new Option<string>("--encoding") { Description = "f32, q8 or topk-q8", DefaultValueFactory = _ => "q8" };
        var topK = new Option<double>("--top-k") { Description = "Share of values sent with topk-q8", DefaultValueFactory = _ => 0.1 };
        var hidden = new Option<int>("--hidden") { Description = "The forecaster's hidden width", DefaultValueFactory = _ => 64 };
        var aggregators = new Option<int>("--aggregators") { Description = "1, or 2 sharing the subscription (needs a broker with shared subscriptions: --broker to Mosquitto)", DefaultValueFactory = _ => 1 };
        var broker = new Option<string?>("--broker", "-b") { Description = "A broker to use (host:port); default: an embedded broker on a free loopback port" };
        var compare = new Option<bool>("--compare") { Description = "Also train the model centrally on all devices' data pooled and on each device alone, and compare" };
        var localKeep = new Option<string?>("--compare-keep") { Description = "With --compare, also train each device's local-only model on only its newest span of training data (e.g. 12h: a device that holds only its last half day) and compare the federated model with those on the same test part" };
        var plot = new Option<string?>("--plot") { Description = "Write the MAE-against-time plot here (.png or .svg)" };
        var state = new Option<string?>("--state") { Description = "Folder for the devices' outboxes and the aggregators' state (default: a temporary folder)" };

        var command = new Command("simulate", "Simulate a fleet learning federated against a real broker and aggregators, on a simulated clock");
        foreach (var option in new Option[] { devices, keep, strategies, seeds, poison, slow, round, sigma, offline, duration, maxVersions, evaluateEvery, epochs, batch, rate, localOptimizer, keepState, localCosine, scaffold, momentum, updateClip, noise, encoding, topK, hidden, aggregators, broker, compare, localKeep, plot, state })
        {
            command.Add(option);
        }

        data.AddTo(command);
        aggregation.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            async Task<int> Fail(string message)
            {
                await error.WriteLineAsync($"edgectl fl simulate: {message}");
                return 2;
            }

            var samples = data.Load(parseResult, out var dataProblem);
            if (samples is null)
            {
                return await Fail(dataProblem!);
            }

            var modes = new List<AggregationMode>();
            foreach (var name in parseResult.GetValue(strategies)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (AggregationArguments.Mode(name, out var modeProblem) is not { } mode)
                {
                    return await Fail(modeProblem!);
                }

                modes.Add(mode);
            }

            var rules = aggregation.CombineRules(parseResult, out var ruleProblem);
            var seedList = Numbers(parseResult.GetValue(seeds)!, int.Parse);
            var poisonList = Numbers(parseResult.GetValue(poison)!, s => double.Parse(s, CultureInfo.InvariantCulture));
            var keepSpan = parseResult.GetValue(keep) is { } keepText ? ArgumentParsers.Duration(keepText, out _) : null;
            var localKeepSpan = parseResult.GetValue(localKeep) is { } localKeepText ? ArgumentParsers.Duration(localKeepText, out _) : null;
            if (parseResult.GetValue(localKeep) is { } badKeep && localKeepSpan is null)
            {
                return await Fail($"--compare-keep '{badKeep}' is not a duration (e.g. 12h)");
            }

            var roundSpan = ArgumentParsers.Duration(parseResult.GetValue(round)!, out _);
            var durationSpan = ArgumentParsers.Duration(parseResult.GetValue(duration)!, out _);
            var spells = Spells(parseResult.GetValue(offline) ?? [], out var spellProblem);
            var encodingValue = parseResult.GetValue(encoding) switch
            {
                "f32" => UpdateEncoding.Float32,
                "q8" => UpdateEncoding.Quantized8,
                "topk-q8" => (UpdateEncoding?)UpdateEncoding.TopKQuantized8,
                _ => null,
            };
            var optimizerValue = parseResult.GetValue(localOptimizer) switch
            {
                "adam" => OptimizerKind.Adam,
                "sgd" => (OptimizerKind?)OptimizerKind.SgdMomentum,
                _ => null,
            };
            if (optimizerValue is null)
            {
                return await Fail($"--local-optimizer '{parseResult.GetValue(localOptimizer)}' is not known; use adam or sgd");
            }

            if (rules is null || seedList is null || poisonList is null || roundSpan is null || durationSpan is null || spells is null || encodingValue is null || (parseResult.GetValue(keep) is not null && keepSpan is null))
            {
                return await Fail(ruleProblem ?? spellProblem ?? "--seeds, --poison, --round, --duration, --keep or --encoding has a value that is not allowed (see --help)");
            }

            if (parseResult.GetValue(scaffold) && parseResult.GetValue(noise) > 0)
            {
                return await Fail("--scaffold with --noise: the privacy accounting does not cover the control variates (each half is clipped apart, which doubles the sensitivity); drop one of them");
            }

            if (parseResult.GetValue(scaffold) && rules.Any(r => r != CombineRule.Mean))
            {
                return await Fail("--scaffold with --combine median or trimmed-mean: the correction assumes c is the mean of the devices' cᵢ; use --combine mean");
            }

            var update = new UpdateOptions { ClipNorm = parseResult.GetValue(updateClip), NoiseMultiplier = parseResult.GetValue(noise), Encoding = encodingValue.Value, TopKFraction = parseResult.GetValue(topK) };
            if (update.Check() is { } updateProblem)
            {
                return await Fail(updateProblem.Replace("Federated:ClipNorm", "--update-clip", StringComparison.Ordinal).Replace("Federated:NoiseMultiplier", "--noise", StringComparison.Ordinal));
            }

            var spec = new FeatureSpec
            {
                Metrics = [samples[0].Values.Keys.First()],
                Mean = [0],
                Std = [1],
                Window = 12,
                Target = samples[0].Values.Keys.First(),
                TimeEncoding = true,
                Horizons = [1, 3, 6, 12],
                Profile = new SeasonalProfileSpec { Period = SeasonalPeriod.Day, Bins = 288, Memory = 7, Smooth = 2, Offsets = [0, 1, 3, 6, 12] },
            };
            var experiment = FederatedExperiment.Prepare(samples, spec, parseResult.GetValue(devices) ?? int.MaxValue, keepSpan, parseResult.GetValue(hidden));
            var local = new TrainingOptions { Epochs = parseResult.GetValue(epochs), BatchSize = parseResult.GetValue(batch), LearningRate = parseResult.GetValue(rate), Optimizer = optimizerValue.Value, Momentum = parseResult.GetValue(momentum), ValidationFraction = 0, Schedule = LearningRateSchedule.Constant, WeightDecay = 0 };
            await output.WriteLineAsync($"machine: {CpuFacts.Current()}, {Environment.ProcessorCount} cores");
            await output.WriteLineAsync($"{experiment.Devices.Count} devices, {experiment.Devices.Sum(d => d.Train.Count)} training windows ({(keepSpan is null ? "all their data" : $"each its newest {keepSpan}")}), validation {experiment.Validation.Count}, test {experiment.Test.Count} from {experiment.TestFrom:u}; local rounds: {local.Epochs} epoch(s), batch {local.BatchSize}, {(local.Optimizer == OptimizerKind.Adam ? "Adam" : $"SGD (momentum {local.Momentum})")} {local.LearningRate}{(parseResult.GetValue(localCosine) > 0 ? $" (cosine to 0 over {parseResult.GetValue(localCosine)} versions)" : string.Empty)}{(parseResult.GetValue(keepState) ? " continued across rounds" : " fresh each round")}{(parseResult.GetValue(scaffold) ? ", SCAFFOLD drift correction" : string.Empty)}; updates clipped to {update.ClipNorm}, {update.Encoding}{(update.NoiseMultiplier > 0 ? $", noise z={update.NoiseMultiplier}" : string.Empty)}");

            EmbeddedMqttBroker? embedded = null;
            BrokerEndpoint? endpoint;
            if (parseResult.GetValue(broker) is { } external)
            {
                if (!BrokerEndpoint.TryParse(external, out endpoint, out var brokerProblem))
                {
                    return await Fail($"--broker: {brokerProblem}");
                }
            }
            else
            {
                if (parseResult.GetValue(aggregators) > 1)
                {
                    return await Fail("two aggregators share the updates through an MQTT 5 shared subscription, which the embedded broker lacks; give --broker (Mosquitto)");
                }

                embedded = await EmbeddedMqttBroker.StartAsync(0, NullLogger<EmbeddedMqttBroker>.Instance);
                endpoint = new BrokerEndpoint("127.0.0.1", embedded.Port, false);
            }

            var stateDirectory = parseResult.GetValue(state) ?? Directory.CreateTempSubdirectory("edge-fl-sim-").FullName;
            try
            {
                var simulation = new FederatedSimulation(endpoint!, stateDirectory, new SynchronousProgress(line => output.WriteLine($"  {line}")), new TextWriterLogger(error, TimeProvider.System, LogLevel.Warning));
                var results = new List<SimulationResult>();
                foreach (var seed in seedList)
                {
                    foreach (var share in poisonList)
                    {
                        foreach (var mode in modes)
                        {
                            foreach (var rule in rules)
                            {
                                var options = aggregation.Read(parseResult, mode, out var optionsProblem);
                                if (options is null)
                                {
                                    return await Fail(optionsProblem!);
                                }

                                options = options with { Combine = rule };
                                if (mode == AggregationMode.FedAvg && options.ExpectedParticipants == 0)
                                {
                                    options = options with { ExpectedParticipants = experiment.Devices.Count, Quorum = Math.Max(1, (int)(0.5 * experiment.Devices.Count)) };
                                }

                                var name = $"{(mode == AggregationMode.FedAvg ? "FedAvg" : $"FedBuff K={options.BufferSize}")}{(rule == CombineRule.Mean ? string.Empty : $" {Describe(rule)}")}{(share > 0 ? $", {share:P0} attackers" : string.Empty)}{(seedList.Count > 1 ? $", seed {seed}" : string.Empty)}";
                                var setup = new SimulationSetup(name, "traffic-forecast", experiment.Template, experiment.Devices, experiment.Validation, experiment.Test, options, local, update,
                                    new RoundLatency(roundSpan.Value, parseResult.GetValue(sigma), parseResult.GetValue(slow)), durationSpan.Value, seed, parseResult.GetValue(aggregators), share, spells, parseResult.GetValue(maxVersions), parseResult.GetValue(keepState), Math.Max(1, parseResult.GetValue(evaluateEvery)), parseResult.GetValue(localCosine), parseResult.GetValue(scaffold));
                                await output.WriteLineAsync($"{name}:");
                                var result = await simulation.RunAsync(setup, cancellationToken);
                                results.Add(result);
                                await output.WriteLineAsync($"  done: {result.Versions} versions in {FederatedSimulation.Format(result.Elapsed)} simulated, {result.WallTime.TotalSeconds:0} s real{(result.ControlVariateNorm is { } c ? $"; the last version carries the fleet's control variate, ‖c‖₂ {c:0.000}" : string.Empty)}");
                            }
                        }
                    }
                }

                var references = new List<(string, double)>();
                ForecastScores? central = null, localOnly = null, localKept = null;
                if (parseResult.GetValue(compare))
                {
                    central = experiment.Central(new TrainingOptions { Epochs = 12, BatchSize = 256, Patience = 3 }, out var centralValidation, cancellationToken);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"central (pooled data): validation MAE {FederatedSimulation.Mean(centralValidation):0.000}, test MAE {FederatedSimulation.Mean(central):0.000}"));
                    localOnly = experiment.LocalOnly(new TrainingOptions { Epochs = 12, BatchSize = 32, Patience = 3 }, cancellationToken);
                    references.Add(("central (pooled data), test", FederatedSimulation.Mean(central)));
                    references.Add(("local only, test", FederatedSimulation.Mean(localOnly)));
                    if (localKeepSpan is { } span)
                    {
                        localKept = experiment.LocalOnly(new TrainingOptions { Epochs = 12, BatchSize = 32, Patience = 3 }, cancellationToken, span);
                        references.Add(($"{localKept.Forecaster}, test", FederatedSimulation.Mean(localKept)));
                    }
                }

                await FederatedReport.WriteAsync(output, results, central, localOnly, experiment.LastValue(), localKept);
                if (parseResult.GetValue(plot) is { } plotPath)
                {
                    var chart = FederatedCharts.MaeOverTime($"federated learning, {experiment.Devices.Count} devices: validation MAE of each global version", results, references);
                    Charts.Save(chart, plotPath, 1100, 600);
                    await output.WriteLineAsync($"plot: {plotPath}");
                }

                return 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }
            finally
            {
                if (embedded is not null)
                {
                    await embedded.DisposeAsync();
                }

                if (parseResult.GetValue(state) is null)
                {
                    try
                    {
                        Directory.Delete(stateDirectory, recursive: true);
                    }
                    catch (IOException)
                    {
                    }
                }
            }
        });

        var fl = new Command("fl", "Federated learning: simulate a fleet");
        fl.Add(command);
        return fl;
    }

    private static string Describe(CombineRule rule) => rule switch
    {
        CombineRule.TrimmedMean => "trimmed mean",
        CombineRule.Median => "median",
        _ => "mean",
    };

    private static List<T>? Numbers<T>(string text, Func<string, T> parse)
    {
        try
        {
            var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToList();
            return values.Count > 0 ? values : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static List<OfflineSpell>? Spells(string[] texts, out string? problem)
    {
        problem = null;
        var spells = new List<OfflineSpell>();
        foreach (var text in texts)
        {
            var parts = text.Split(':');
            if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var device)
                || ArgumentParsers.Duration(parts[1] == "0" ? "0.0001s" : parts[1], out _) is not { } from || ArgumentParsers.Duration(parts[2], out _) is not { } length)
            {
                problem = $"--offline '{text}' is not DEVICE:FROM:LENGTH (e.g. 3:2h:24h)";
                return null;
            }

            spells.Add(new OfflineSpell(device, from, length));
        }

        return spells;
    }

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
