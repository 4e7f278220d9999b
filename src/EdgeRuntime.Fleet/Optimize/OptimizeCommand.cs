using System.CommandLine;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Verification;

namespace EdgeRuntime.Fleet.Optimize;

/// <summary>
/// <c>edgectl optimize IN.onnx -o OUT.onnx</c>: optimise a model's graph, verify it against ONNX Runtime on the
/// original, and write it only when verified. <c>edgectl passes</c> lists the passes.
/// </summary>
internal static class OptimizeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("model") { Description = "The ONNX model to optimise" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the optimised model (written atomically, only after verification)", Required = true };
        var level = new Option<OptimizationLevel>("--level", "-l") { Description = "O0 none, O1 exact clean-ups, O2 + fusions, O3 + restructuring and fused kernels", DefaultValueFactory = _ => OptimizationLevel.O3 };
        var shapes = new Option<string[]>("--shape") { Description = "Deployment shape of an input, binding its free dimensions: NAME=1x3x224x224 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var keep = new Option<string[]>("--keep-output") { Description = "An output (or intermediate value) the deployment consumes; the rest is pruned (repeatable)" };
        var skip = new Option<string[]>("--skip-pass") { Description = "A pass not to run (see edgectl passes) (repeatable)" };
        var report = new Option<string?>("--report") { Description = "Write a JSON report (per-pass costs, verification) to this file" };
        var samples = new Option<int>("--samples") { Description = "Random input sets to verify on", DefaultValueFactory = _ => 3 };
        var recorded = new Option<string[]>("--sample") { Description = "A folder of recorded inputs (NAME.pb or input_N.pb TensorProto files) to verify on as well (repeatable)" };
        var fixedInputs = new Option<string[]>("--fixed-input") { Description = "An input with a fixed scalar value for the random sets, NAME=VALUE (e.g. sr=16000) (repeatable)" };
        var noMeasure = new Option<bool>("--no-measure") { Description = "Keep the requested level's result without timing; by default verified variants are timed and the requested level is kept unless another is more than 3% faster" };
        var freeze = new Option<bool>("--freeze-initializer-inputs") { Description = "The deployment never feeds the initializers the model also lists as inputs (IR 4 and later): make them constants so they fold and fuse" };

        var command = new Command("optimize", "Optimise a model's computation graph and prove it still computes the same outputs");
        command.Add(input);
        command.Add(output);
        command.Add(level);
        command.Add(shapes);
        command.Add(keep);
        command.Add(skip);
        command.Add(report);
        command.Add(samples);
        command.Add(recorded);
        command.Add(fixedInputs);
        command.Add(noMeasure);
        command.Add(freeze);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var inputPath = parseResult.GetValue(input)!;
            var outputPath = parseResult.GetValue(output)!;
            try
            {
                var model = OnnxModelReader.Read(inputPath, out var bytes);
                var request = new OptimizeRequest
                {
                    InputPath = inputPath,
                    Level = parseResult.GetValue(level),
                    Shapes = OptimizeArguments.Shapes(parseResult.GetValue(shapes) ?? []),
                    KeepOutputs = parseResult.GetValue(keep) ?? [],
                    SkipPasses = parseResult.GetValue(skip) ?? [],
                    RandomSamples = Math.Max(0, parseResult.GetValue(samples)),
                    RecordedSamples = [.. (parseResult.GetValue(recorded) ?? []).Select(folder => OptimizeArguments.Sample(folder, model))],
                    FixedInputs = OptimizeArguments.FixedInputs(parseResult.GetValue(fixedInputs) ?? [], model),
                    MeasureCandidates = !parseResult.GetValue(noMeasure),
                    FreezeInitializerInputs = parseResult.GetValue(freeze),
                };
                stdout.WriteLine($"edgectl optimize: {inputPath} ({model.CountNodes()} nodes) at {request.Level}");

                // The model read here is read once: the optimiser binds shapes in it (nothing below reads it again).
                request = request with { Original = new OriginalModel(bytes, model) };
                OptimizeResult result;
                await using (var progress = new ProgressDisplay(stdout, $"optimize {Path.GetFileName(inputPath)}"))
                {
                    // Passes, verification and timing report their steps: a spinner line on a terminal, a line each in a log.
                    result = await Task.Run(() => new ModelOptimizer(progress.Step).Optimize(request, cancellationToken), cancellationToken);
                }

                stdout.Write(OptimizeSummary.Table(result));
                AtomicFile.WriteAllBytes(outputPath, result.Model);
                if (parseResult.GetValue(report) is { } reportPath)
                {
                    AtomicFile.WriteAllBytes(reportPath, System.Text.Encoding.UTF8.GetBytes(OptimizeSummary.Json(inputPath, outputPath, result)));
                }

                stdout.WriteLine($"wrote {outputPath} ({result.Model.Length / 1e6:F1} MB), verified on {result.Verification.Samples} input set(s)");
                return 0;
            }
            catch (Exception ex) when (ex is OnnxFormatException or VerificationException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"edgectl optimize: {ex.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return command;
    }

    public static Command CreatePassList()
    {
        var command = new Command("passes", "List the graph optimisation passes with their level and kind");
        command.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.Write(OptimizeSummary.PassList());
            return 0;
        });
        return command;
    }
}
