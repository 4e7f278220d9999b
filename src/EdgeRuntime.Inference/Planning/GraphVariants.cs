using System.Diagnostics;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Precision;
using EdgeRuntime.Graph.Passes.Pruning;
using EdgeRuntime.Graph.Shapes;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Verification;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Planning;

/// <summary>
/// Builds the models the plan search runs: the original, our optimiser's result at each level (verified by it), and
/// each of those in reduced precision — int8 dynamic (weights of MatMul/Gemm), int8 static (QDQ around Conv/MatMul,
/// only with recorded inputs to calibrate on) and float16 (GPU providers only). Every variant that cannot be built is
/// a note, never an error: the original is always there.
/// </summary>
internal sealed class GraphVariants(PlanRequest request, PlanSearchOptions options, DeviceProfile device, Action<string>? progress)
{
    private readonly List<string> _notes = [];

    /// <summary>What could not be built or was not tried, and why.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Builds the variants, stopping (with a note) when <paramref name="deadline"/> passes.</summary>
    public List<GraphVariant> Build(byte[] original, TimeSpan deadline, Stopwatch clock, CancellationToken cancellationToken)
    {
        var variants = new List<GraphVariant> { new(0, PlanPrecision.Fp32, original, "as delivered") };
        foreach (var level in options.OptimizerLevels.Where(l => l is > 0 and <= 3).Distinct().Order())
        {
            if (clock.Elapsed > deadline)
            {
                _notes.Add($"O{level}: not built, the budget's share for building ran out");
                continue;
            }

            progress?.Invoke($"optimising the graph at O{level} (verified against the original)");

            // The optimiser stops at its next pass or verification step when the building share of the budget is spent.
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(deadline > clock.Elapsed ? deadline - clock.Elapsed : TimeSpan.Zero);
            try
            {
                var result = new ModelOptimizer().Optimize(
                    new OptimizeRequest
                    {
                        InputPath = request.ModelPath,
                        Level = (OptimizationLevel)level,
                        Shapes = request.Shapes,
                        RecordedSamples = request.RecordedSamples,
                        FixedInputs = request.FixedInputs,
                        RandomSamples = 2,
                    },
                    limit.Token);
                var dropped = result.Dropped.Count == 0 ? string.Empty : $", dropped {string.Join(",", result.Dropped.Select(d => d.Pass))}";
                variants.Add(new GraphVariant(level, PlanPrecision.Fp32, result.Model, $"{result.Report.Before.Nodes}→{result.Report.After.Nodes} nodes{dropped}"));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _notes.Add($"O{level}: not built, the budget's share for building ran out during the optimisation");
            }
            catch (Exception ex) when (ex is VerificationException or OnnxFormatException or NotSupportedException or ArgumentException or OnnxRuntimeException or InvalidOperationException)
            {
                _notes.Add($"O{level}: no verified optimisation ({OneLine(ex.Message)})");
            }
        }

        if (!options.TryReducedPrecision)
        {
            _notes.Add("reduced precision not tried (turned off)");
            return variants;
        }

        foreach (var fp32 in variants.ToList())
        {
            if (clock.Elapsed > deadline)
            {
                _notes.Add($"reduced precision of O{fp32.OptimizerLevel}: not built, the budget's share for building ran out");
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            Add(variants, fp32, PlanPrecision.Int8Dynamic, DynamicInt8);
            if (request.RecordedSamples.Count > 0)
            {
                Add(variants, fp32, PlanPrecision.Int8Static, StaticInt8);
            }

            if (request.Provider != ExecutionProvider.Cpu)
            {
                Add(variants, fp32, PlanPrecision.Fp16, Float16);
            }
        }

        if (request.RecordedSamples.Count == 0)
        {
            _notes.Add("int8-static: not tried, no recorded inputs to calibrate on (give --sample)");
        }

        if (request.Provider == ExecutionProvider.Cpu)
        {
            _notes.Add("fp16: not tried on the CPU provider (ONNX Runtime has no fast float16 path on x86 CPUs)");
        }

        return variants;
    }

    private void Add(List<GraphVariant> variants, GraphVariant fp32, PlanPrecision precision, Func<Model, string?> pass)
    {
        try
        {
            var model = OnnxModelReader.Read(fp32.Model, Path.GetFileName(request.ModelPath), Path.GetDirectoryName(Path.GetFullPath(request.ModelPath)));
            ShapeInference.Run(model);
            if (pass(model) is not { } detail)
            {
                return;
            }

            // The float weights the pass replaced are read by nobody now; without this the int8 file is larger than the original.
            new RemoveUnusedInitializers().Run(model, new PassContext());

            var problems = GraphVerifier.Verify(model);
            if (problems.Count > 0)
            {
                _notes.Add($"O{fp32.OptimizerLevel} {Name(precision)}: the pass left an invalid graph ({problems[0]})");
                return;
            }

            variants.Add(new GraphVariant(fp32.OptimizerLevel, precision, OnnxModelWriter.ToBytes(model), detail));
        }
        catch (Exception ex) when (ex is OnnxFormatException or NotSupportedException or ArgumentException or InvalidOperationException or OnnxRuntimeException)
        {
            _notes.Add($"O{fp32.OptimizerLevel} {Name(precision)}: not built ({OneLine(ex.Message)})");
        }
    }

    private string? DynamicInt8(Model model)
    {
        var pass = new QuantizeMatMulDynamic { ReduceRange = device.Int8NeedsReducedRange };
        var before = model.Graph.Nodes.Count(n => n.Is("MatMul") || n.Is("Gemm"));
        if (!pass.Run(model, new PassContext()))
        {
            return null;
        }

        var quantised = model.Graph.Nodes.Count(n => n.Is("MatMulInteger"));
        var perChannel = model.Graph.Initializers.Count(i => i.Name.Contains("_Ws", StringComparison.Ordinal) && i.Initializer!.ElementCount > 1);
        return $"{quantised} of {before} MatMul/Gemm in int8 ({perChannel} per channel){(pass.ReduceRange ? ", 7-bit weights (no VNNI)" : string.Empty)}";
    }

    private string? StaticInt8(Model model)
    {
        var targets = QuantizeQdqStatic.CalibrationTargets(model);
        if (targets.Count == 0)
        {
            return null;
        }

        var ranges = ActivationCalibration.Ranges(model, targets, request.RecordedSamples);
        var pass = new QuantizeQdqStatic { Ranges = ranges, ReduceRange = device.Int8NeedsReducedRange };
        return pass.Run(model, new PassContext())
            ? $"{model.Graph.Nodes.Count(n => n.Is("QuantizeLinear"))} activations quantised, calibrated on {request.RecordedSamples.Count} recorded input set(s)"
            : null;
    }

    private static string? Float16(Model model)
    {
        var pass = new ConvertToFloat16();
        return pass.Run(model, new PassContext()) ? $"float16 with {string.Join(", ", ConvertToFloat16.KeptInFloat32)} kept in float32" : null;
    }

    private static string Name(PlanPrecision precision) => precision switch
    {
        PlanPrecision.Int8Dynamic => "int8-dynamic",
        PlanPrecision.Int8Static => "int8-static",
        PlanPrecision.Fp16 => "fp16",
        _ => "fp32",
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
