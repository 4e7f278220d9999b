using System.CommandLine;
using System.Text.Json;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Fleet.Optimize;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Planning;
using EdgeRuntime.Inference.Verification;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Fleet.Plan;

/// <summary>
/// <c>edgectl plan MODEL.onnx [--shape …] [--budget 60s] [--report plan.json]</c>: the daemon's measured plan search, run
/// here: the device probe, every candidate timed and checked against the original, the candidate table, the chosen plan
/// and its ratio to ONNX Runtime's default session measured in the same run.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("model") { Description = "The ONNX model (float32, as delivered)" };
        var shapes = new Option<string[]>("--shape") { Description = "Deployment shape of an input, binding its free dimensions: NAME=1x128 (repeatable)" };
        var budget = new Option<string>("--budget") { Description = "Wall-clock budget of the search, building candidates included (e.g. 60s, 2m)", DefaultValueFactory = _ => "60s" };
        var report = new Option<string?>("--report") { Description = "Write the report (device, every candidate, the verdict) as JSON to this file" };
        var recorded = new Option<string[]>("--sample") { Description = "A folder of recorded inputs (NAME.pb or input_N.pb): accuracy is checked on them and int8-static calibrates on them (repeatable)" };
        var fixedInputs = new Option<string[]>("--fixed-input") { Description = "An input with a fixed scalar value for generated inputs, NAME=VALUE (repeatable)" };
        var provider = new Option<string>("--provider") { Description = "auto (the best that loads: TensorRT, CUDA, CPU), tensorrt, cuda or cpu; one that does not load falls back with a line", DefaultValueFactory = _ => "auto" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the chosen plan's model here" };

        var command = new Command("plan", "Search for the fastest verified way to run a model on this device (provider, ONNX Runtime level, our level, precision, threads, spinning)");
        foreach (var option in new Option[] { shapes, budget, report, recorded, fixedInputs, provider, output })
        {
            command.Add(option);
        }

        command.Add(input);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var modelPath = parseResult.GetValue(input)!;
            try
            {
                var limit = ArgumentParsers.Duration(parseResult.GetValue(budget)!, out var problem) ?? throw new ArgumentException($"--budget {problem}");
                var requested = Provider(parseResult.GetValue(provider)!);
                var model = OnnxModelReader.Read(modelPath);
                var device = DeviceProbe.Current;
                stdout.Write(PlanTable.Device(device));
                var choice = ProviderChoice.Resolve(requested, device);
                if (choice.Fallback is { } fallback)
                {
                    stderr.WriteLine($"edgectl plan: {fallback}");
                }

                var request = new PlanRequest
                {
                    ModelPath = modelPath,
                    Shapes = OptimizeArguments.Shapes(parseResult.GetValue(shapes) ?? []),
                    RecordedSamples = [.. (parseResult.GetValue(recorded) ?? []).Select(folder => OptimizeArguments.Sample(folder, model))],
                    FixedInputs = OptimizeArguments.FixedInputs(parseResult.GetValue(fixedInputs) ?? [], model),
                    Provider = choice.Provider,
                };
                stdout.WriteLine($"edgectl plan: {modelPath} ({model.CountNodes()} nodes) on {choice.Provider}, budget {limit.TotalSeconds:0} s");
                PlanResult result;
                await using (var progress = new ProgressDisplay(stdout, $"plan {Path.GetFileName(modelPath)}"))
                {
                    result = await Task.Run(() => new PlanSearch(new PlanSearchOptions { Budget = limit }, device, progress.Step).Run(request, cancellationToken), cancellationToken);
                }

                stdout.Write(PlanTable.Candidates(result.Report));
                stdout.Write(PlanTable.Verdict(result.Report));
                if (parseResult.GetValue(report) is { } reportPath)
                {
                    AtomicFile.WriteAllBytes(reportPath, JsonSerializer.SerializeToUtf8Bytes(result.Report, PlanJson.Default.PlanReport));
                    stdout.WriteLine($"wrote {reportPath}");
                }

                if (parseResult.GetValue(output) is { } outputPath)
                {
                    AtomicFile.WriteAllBytes(outputPath, result.Model);
                    stdout.WriteLine($"wrote {outputPath} ({result.Model.Length / 1e6:F1} MB)");
                }

                return 0;
            }
            catch (Exception ex) when (ex is OnnxFormatException or VerificationException or ArgumentException or IOException or UnauthorizedAccessException or OnnxRuntimeException)
            {
                stderr.WriteLine($"edgectl plan: {ex.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return command;
    }

    private static Core.Planning.ExecutionProvider? Provider(string text) => text.ToLowerInvariant() switch
    {
        "auto" => null,
        "cpu" => Core.Planning.ExecutionProvider.Cpu,
        "cuda" => Core.Planning.ExecutionProvider.Cuda,
        "tensorrt" => Core.Planning.ExecutionProvider.TensorRt,
        _ => throw new ArgumentException($"--provider {text}: not a provider; allowed: auto, tensorrt, cuda, cpu"),
    };
}
