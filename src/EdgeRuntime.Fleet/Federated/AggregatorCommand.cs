using System.CommandLine;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Fleet.Status;

namespace EdgeRuntime.Fleet.Federated;

/// <summary>
/// <c>edgectl aggregator --model NAME --model-file MODEL.onnx --signing-key fleet.key --devices DIR --state DIR</c>: a
/// federated aggregator for one model. The lead (default) folds its share of the updates with the members' partial sums
/// and publishes each new global version through model delivery; <c>--role member</c> folds its share and sends it to
/// the lead. Several aggregators of one model split the updates through the broker's shared subscription. Runs until
/// Ctrl-C / SIGTERM; its state survives kill -9.
/// </summary>
internal static class AggregatorCommand
{
    public static Command Create(TimeProvider timeProvider)
    {
        var broker = new BrokerArguments();
        var signingKey = new SigningKeyArgument();
        var strategyArguments = new AggregationArguments();
        var model = new Option<string>("--model", "-n") { Description = "The model name (as published)", Required = true };
        var modelFile = new Option<string>("--model-file") { Description = "The model's ONNX file: the first global version (lead) and the parameter layout", Required = true };
        var devices = new Option<string>("--devices") { Description = "Folder of enrolled device keys, DEVICE-ID.pub (from 'edgectl keys create --out DIR/DEVICE-ID')", Required = true };
        var state = new Option<string>("--state") { Description = "Folder for the aggregator's database and version files", Required = true };
        var id = new Option<string>("--id") { Description = "This aggregator's id (unique per model)", DefaultValueFactory = _ => "lead" };
        var role = new Option<string>("--role") { Description = "lead (makes versions) or member (sends partial sums to the lead)", DefaultValueFactory = _ => "lead" };
        var strategy = new Option<string>("--strategy") { Description = "fedbuff or fedavg", DefaultValueFactory = _ => "fedbuff" };
        var trainable = new Option<string>("--trainable") { Description = "all (a forecaster's parameters), head, or initializer names", DefaultValueFactory = _ => "all" };
        var shareGroup = new Option<string>("--share-group") { Description = "MQTT 5 shared-subscription group of the model's aggregators; empty for a plain subscription (a broker without shared subscriptions)", DefaultValueFactory = _ => "aggregators" };
        var initialVersion = new Option<long?>("--initial-version") { Description = "The lead's first version number (default: the file's model_version, at least 1)" };

        var command = new Command("aggregator", "Run a federated aggregator for one model: verify, fold and aggregate device updates, publish new global versions");
        foreach (var option in new Option[] { model, modelFile, devices, state, id, role, strategy, trainable, shareGroup, initialVersion })
        {
            command.Add(option);
        }

        signingKey.AddTo(command);
        strategyArguments.AddTo(command);
        broker.AddTo(command, daemonState: false);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            async Task<int> Fail(string message, int code)
            {
                await error.WriteLineAsync($"edgectl aggregator: {message}");
                return code;
            }

            var mode = AggregationArguments.Mode(parseResult.GetValue(strategy)!, out var modeProblem);
            var options = mode is null ? null : strategyArguments.Read(parseResult, mode.Value, out modeProblem);
            if (options is null)
            {
                return await Fail(modeProblem!, 2);
            }

            var roleValue = parseResult.GetValue(role) switch
            {
                "lead" => AggregatorRole.Lead,
                "member" => (AggregatorRole?)AggregatorRole.Member,
                _ => null,
            };
            if (roleValue is null)
            {
                return await Fail($"--role '{parseResult.GetValue(role)}' is not known; use lead or member", 2);
            }

            var keyPath = signingKey.Read(parseResult, broker, error, out var keyProblem);
            if (keyPath is null)
            {
                return await Fail(keyProblem!, 2);
            }

            var name = parseResult.GetValue(model)!;
            var aggregatorId = parseResult.GetValue(id)!;
            var stateDirectory = Path.GetFullPath(parseResult.GetValue(state)!);
            var settings = new AggregatorSettings(name, aggregatorId, roleValue.Value, stateDirectory, options, parseResult.GetValue(initialVersion));
            var logger = new TextWriterLogger(output, timeProvider);
            try
            {
                using var key = SigningKey.Load(keyPath);
                using var fleetKeys = TrustedKeys.Of(key);
                var template = GlobalModel.Load(parseResult.GetValue(modelFile)!, parseResult.GetValue(trainable)!);
                using var enrolled = EnrolledDevices.FromFolder(parseResult.GetValue(devices)!, timeProvider);
                Directory.CreateDirectory(stateDirectory);
                using var core = AggregatorCore.Open(settings, template, enrolled, fleetKeys.Check, timeProvider, logger);
                await using var connected = await ConnectedBroker.ConnectAsync(broker, parseResult, timeProvider, cancellationToken, $"edgectl-aggregator-{name}-{aggregatorId}");
                var hostOptions = new AggregatorHostOptions
                {
                    ShareGroup = parseResult.GetValue(shareGroup) ?? string.Empty,
                    PartialOutboxPath = roleValue == AggregatorRole.Member ? Path.Combine(stateDirectory, "partials-outbox.db") : null,
                };
                await using var host = new AggregatorHost(core, connected.Connection, connected.Topics, key, fleetKeys, hostOptions, timeProvider, logger);
                await host.StartAsync(cancellationToken);
                await output.WriteLineAsync($"aggregator {aggregatorId} ({parseResult.GetValue(role)}) of {name} v{core.Version}: {options.Mode} {Describe(options)}, {template.Layout}, on {connected.Connection.Endpoint}");
                await host.RunAsync(cancellationToken);
                return 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
            catch (Exception ex) when (ex is SigningKeyException or ArgumentException or IOException or InvalidDataException or BrokerUnreachableException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
            {
                return await Fail(ex.Message.ReplaceLineEndings(" "), 1);
            }
        });
        return command;
    }

    private static string Describe(AggregationOptions options) => options.Mode == AggregationMode.FedBuff
        ? $"K={options.BufferSize}, staleness {options.Staleness} (a={options.StalenessExponent}), at most {options.MaxStaleness} versions, {options.Combine}, server {Server(options)}"
        : $"quorum {options.Quorum}, expected {options.ExpectedParticipants}, deadline {options.RoundDeadline}, {options.Combine}, server {Server(options)}";

    private static string Server(AggregationOptions options) =>
        $"{options.ServerOptimizer} η={options.ServerLearningRate}"
        + (options.ServerLearningRateDecay > 0 ? $"/√(1+t/{options.ServerLearningRateDecay})" : options.ServerLearningRateCosine > 0 ? $"·½(1+cos(πt/{options.ServerLearningRateCosine}))" : string.Empty)
        + (options.ServerOptimizer == ServerOptimizerKind.FedAdam ? $" τ={options.ServerEpsilon}" : string.Empty);
}
