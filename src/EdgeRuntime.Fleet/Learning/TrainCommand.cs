using System.CommandLine;
using System.Globalization;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Evaluation;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using Spectre.Console;

namespace EdgeRuntime.Fleet.Learning;

/// <summary>
/// <c>edgectl train MODEL.onnx --data … -o trained.onnx</c>: trains a forecaster on a recording or on the traffic
/// simulator's output, with the training graph derived from the model and run by ONNX Runtime, parameter updates on
/// ILGPU kernels, a progress bar with the loss, early stopping on the newest tenth of the training part, and — when a
/// test part is split off — a table of test MAE per horizon against the naive baselines.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL.onnx") { Description = "The model to train (its feature spec metadata says how windows are built)" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the trained model (atomically)", Required = true };
        var trainable = new Option<string>("--trainable") { Description = "all, head (last MatMul/Gemm block and every bias) or a comma-separated list of initializer names", DefaultValueFactory = _ => "all" };
        var loss = new Option<string>("--loss") { Description = "mae, mse or huber", DefaultValueFactory = _ => "mae" };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs", DefaultValueFactory = _ => 12 };
        var batch = new Option<int>("--batch-size") { Description = "Examples per step", DefaultValueFactory = _ => 256 };
        var rate = new Option<double>("--learning-rate") { Description = "Base learning rate (cosine schedule)", DefaultValueFactory = _ => 1e-3 };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or sgd (momentum 0.9)", DefaultValueFactory = _ => "adam" };
        var validation = new Option<double>("--validation") { Description = "Newest share of the training part held out for early stopping", DefaultValueFactory = _ => 0.1 };
        var patience = new Option<int>("--patience") { Description = "Epochs without improvement before stopping", DefaultValueFactory = _ => 3 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "File the best parameters are written to after each improving epoch" };
        var trainFraction = new Option<double>("--train-fraction") { Description = "Chronological share of the data to train on; the rest is the test part (1 = train on all)", DefaultValueFactory = _ => 0.8 };
        var testFrom = new Option<string?>("--test-from") { Description = "Test part starts at this time instead (ISO 8601)" };
        var data = new RecordingArguments();

        var command = new Command("train", "Train a forecaster on a recording or simulated traffic: training graph by autodiff on ONNX Runtime, updates on ILGPU kernels");
        command.Add(model);
        foreach (var option in new Option[] { output, trainable, loss, epochs, batch, rate, optimizer, validation, patience, checkpoint, trainFraction, testFrom })
        {
            command.Add(option);
        }

        data.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            async Task<int> Fail(string message, int code)
            {
                await stderr.WriteLineAsync($"edgectl train: {message}");
                return code;
            }

            var path = parseResult.GetValue(model)!;
            Graph.Ir.Model graph;
            FeatureSpec spec;
            try
            {
                graph = OnnxModelReader.Read(path);
                var json = graph.Metadata.FirstOrDefault(m => m.Key == FeatureSpec.MetadataKey).Value;
                spec = json is null ? throw new ArgumentException($"{path} carries no '{FeatureSpec.MetadataKey}' metadata; build a forecaster with 'edgectl model create traffic-forecaster'")
                    : FeatureSpec.TryParse(json, out var specError) ?? throw new ArgumentException($"{path}: '{FeatureSpec.MetadataKey}' metadata is invalid: {specError}");
            }
            catch (Exception ex) when (ex is OnnxFormatException or ArgumentException or IOException)
            {
                return await Fail(ex.Message, 2);
            }

            var samples = data.Load(parseResult, out var dataProblem);
            if (samples is null)
            {
                return await Fail(dataProblem!, 2);
            }

            var lossKind = parseResult.GetValue(loss)?.ToLowerInvariant() switch
            {
                "mae" => LossKind.MeanAbsoluteError,
                "mse" => LossKind.MeanSquaredError,
                "huber" => LossKind.Huber,
                _ => (LossKind?)null,
            };
            var optimizerKind = parseResult.GetValue(optimizer)?.ToLowerInvariant() switch
            {
                "adam" => OptimizerKind.Adam,
                "sgd" => OptimizerKind.SgdMomentum,
                _ => (OptimizerKind?)null,
            };
            if (lossKind is null || optimizerKind is null)
            {
                return await Fail("--loss must be mae, mse or huber and --optimizer adam or sgd", 2);
            }

            var options = new TrainingOptions
            {
                Epochs = parseResult.GetValue(epochs),
                BatchSize = parseResult.GetValue(batch),
                LearningRate = parseResult.GetValue(rate),
                Optimizer = optimizerKind.Value,
                ValidationFraction = parseResult.GetValue(validation),
                Patience = parseResult.GetValue(patience),
                CheckpointPath = parseResult.GetValue(checkpoint),
            };
            if (options.Check() is { } optionsProblem)
            {
                return await Fail(optionsProblem, 2);
            }

            try
            {
                var all = ForecastDataset.Build(spec, samples);
                var split = parseResult.GetValue(testFrom) is { } from
                    ? DateTimeOffset.Parse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                    : parseResult.GetValue(trainFraction) >= 1 ? DateTimeOffset.MaxValue : all.TimeAtFraction(parseResult.GetValue(trainFraction));
                var train = all.Slice(all.Span.First, split);
                var test = split == DateTimeOffset.MaxValue ? null : all.Slice(split, DateTimeOffset.MaxValue);
                var names = Trainable(graph, parseResult.GetValue(trainable)!);
                await stdout.WriteLineAsync($"training {string.Join(", ", names)} on {train.Count} windows of {all.StreamNames.Count} stream(s) (until {split:u}); {test?.Count ?? 0} test windows");

                // Progress on stderr, results on stdout (a script can keep the table and drop the bar).
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) });
                TrainingResult? result = null;
                var lastEpoch = "training";
                var stepsPerEpoch = (int)Math.Ceiling(train.Count * (1 - options.ValidationFraction) / options.BatchSize);
                await console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async context =>
                    {
                        var bar = context.AddTask("training", maxValue: (double)options.Epochs * stepsPerEpoch);
                        var progress = new SynchronousProgress<TrainingProgress>(p =>
                        {
                            bar.Value = ((double)p.Epoch * p.Steps) + p.Step;
                            bar.Description = p.ValidationLoss is { } v
                                ? string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch + 1}/{p.Epochs} loss {p.Loss:0.0000} validation {v:0.0000}")
                                : string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch + 1}/{p.Epochs} loss {p.Loss:0.0000}");
                        });
                        result = await Task.Run(() => new Trainer(KernelUpdaters.Create).Train(graph, new TrainingRequest(names, lossKind.Value), new ForecastTrainingData(train), options, progress, cancellationToken: cancellationToken), cancellationToken);
                        bar.Value = bar.MaxValue;
                        context.Refresh();
                        lastEpoch = bar.Description;
                    });

                // Without a terminal the bar is drawn only at refresh ticks, which a short run can fall between: the last
                // epoch's line goes to the log as text.
                if (!console.Profile.Capabilities.Interactive)
                {
                    await stderr.WriteLineAsync(lastEpoch);
                }

                TrainedParameters.ApplyTo(graph, result!.Parameters);
                var bytes = OnnxModelWriter.ToBytes(graph);
                AtomicFile.WriteAllBytes(parseResult.GetValue(output)!, bytes);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {parseResult.GetValue(output)}: {result.EpochsRun} epoch(s), kept epoch {result.BestEpoch + 1} ({result.Stop}), {result.Steps} steps in {result.Elapsed.TotalSeconds:0.0} s, updates on {result.UpdateDevice}"));
                if (test is { Count: > 0 })
                {
                    using var trained = new OnnxForecaster(bytes, "trained forecaster");
                    var scores = new List<ForecastScores> { ForecastScores.Of(trained, test), ForecastScores.Of(new LastValueForecaster(), test) };
                    if (spec.Profile is { } profile)
                    {
                        scores.Add(ForecastScores.Of(new SeasonalMeanForecaster(train, profile.Period, profile.Bins), test));
                    }

                    ForecastTable.Write(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) }), spec, scores);
                }

                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or TrainingGraphException or IOException or FormatException)
            {
                return await Fail(ex.Message.ReplaceLineEndings(" "), 1);
            }
        });
        return command;
    }

    private static IReadOnlyList<string> Trainable(Graph.Ir.Model model, string choice) => choice switch
    {
        "all" when model.Metadata.Any(m => m.Key == TrafficForecasterBuilder.KindKey && m.Value == TrafficForecasterBuilder.Kind) => TrafficForecasterBuilder.AllParameters,
        "all" => throw new ArgumentException("--trainable all is known only for models built by 'edgectl model create'; name the initializers or use head"),
        "head" => TrainableSelection.DefaultHead(model),
        _ => TrainableSelection.Named(model, choice.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
    };

    // Progress<T> posts to the thread pool; the bar wants every report in order.
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
