using System.Globalization;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Verification;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Testing.Fuzzing;

/// <summary>How a generated model fared.</summary>
public enum FuzzVerdict
{
    /// <summary>Optimised at every level, each result agreeing with the original on every generator input set.</summary>
    Agreed,

    /// <summary>Refused in one line, as it must be (an input verification cannot feed).</summary>
    Refused,

    /// <summary>An optimised model disagrees with the original, is malformed, lost its interface or grew; a valid model was refused; or verification had to drop a pass.</summary>
    Disagreement,

    /// <summary>The optimiser threw something other than a one-line refusal.</summary>
    Crash,

    /// <summary>The generator made a model ONNX Runtime cannot run (a generator bug, not the optimiser's).</summary>
    Invalid,
}

/// <summary>The verdict on one generated model.</summary>
/// <param name="Seed">The generator seed.</param>
/// <param name="Verdict">What happened.</param>
/// <param name="Detail">One line: the first problem, with the level it appeared at.</param>
public sealed record FuzzOutcome(int Seed, FuzzVerdict Verdict, string Detail)
{
    /// <summary>The grammar productions the model used.</summary>
    public IReadOnlyList<string> Features { get; init; } = [];
}

/// <summary>
/// The fuzzer's oracle, independent of the optimiser's own verification: each generated model is optimised at O1, O2
/// and O3 as <c>edgectl optimize</c> does (verification on, no timing), and every result is checked against ONNX
/// Runtime on the original, on the generator's own input sets (which reach every size, branch and override it built):
/// outputs within 1e-4 + 1e-3·max|expected| (plus one quantisation step for dequantised outputs; random outputs by type,
/// shape and that they still vary), output names and order, overridable inputs kept, declared output types met, the
/// structural check passed, int8 weights kept int8, no size blow-up. A pass that verification had to drop counts as a
/// disagreement too: the optimiser recovered, but the pass is wrong. Thread-safe.
/// </summary>
public sealed class DifferentialFuzzer
{
    private static readonly SessionSettings Reference = new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpThreads = 1 };
    private static readonly SessionSettings Deployed = new() { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpThreads = 1 };

    // Fuzz graphs are tiny; their free dimensions need not reach the sizes real models are verified at.
    private static readonly VerificationOptions Options = new() { RandomSamples = 2, MaxInputElements = 4096 };

    /// <summary>The levels each model is optimised at.</summary>
    public static IReadOnlyList<OptimizationLevel> Levels { get; } = [OptimizationLevel.O1, OptimizationLevel.O2, OptimizationLevel.O3];

    /// <summary>Generates the model for <paramref name="seed"/> and checks it.</summary>
    public static FuzzOutcome Check(int seed, CancellationToken cancellationToken = default)
    {
        FuzzCase fuzzCase;
        try
        {
            fuzzCase = FuzzGraphGenerator.Generate(seed);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return new FuzzOutcome(seed, FuzzVerdict.Invalid, $"the generator failed: {OneLine(ex.Message)}");
        }

        return Check(fuzzCase, cancellationToken);
    }

    /// <summary>Checks one generated (or minimised) model.</summary>
    public static FuzzOutcome Check(FuzzCase fuzzCase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fuzzCase);
        var seed = fuzzCase.Seed;
        FuzzOutcome Outcome(FuzzVerdict verdict, string detail) => new(seed, verdict, detail) { Features = fuzzCase.Features };
        if (fuzzCase.ExpectRefusal)
        {
            try
            {
                NumericalVerifier.Prepare(fuzzCase.Model, Options, cancellationToken);
                return Outcome(FuzzVerdict.Disagreement, "a model with a sequence input was accepted for verification");
            }
            catch (VerificationException ex) when (!ex.Message.Contains('\n', StringComparison.Ordinal))
            {
                return Outcome(FuzzVerdict.Refused, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Outcome(FuzzVerdict.Crash, $"{ex.GetType().Name}: {OneLine(ex.Message)}");
            }
        }

        var original = Run(fuzzCase.Model, fuzzCase.Feeds, Reference, repeatRandom: fuzzCase.RandomOutputs.Count > 0);
        if (original.Failure is { } invalid)
        {
            return Outcome(FuzzVerdict.Invalid, $"the original does not run: {invalid}");
        }

        // ONNX Runtime's own optimiser has bugs of its own (a LayerNormalization fusion across a Cast that mixes float
        // and double): a model it cannot run unchanged at its full level cannot be deployed at all, whatever we do.
        var deployed = Run(fuzzCase.Model, fuzzCase.Feeds, Deployed, repeatRandom: fuzzCase.RandomOutputs.Count > 0);
        if (deployed.Failure is { } broken)
        {
            return Outcome(FuzzVerdict.Invalid, $"ONNX Runtime cannot run the unchanged original at its full optimisation level: {broken}");
        }

        var originalModel = OnnxModelReader.Read(fuzzCase.Model, "original", null);
        for (var f = 0; f < fuzzCase.Feeds.Count; f++)
        {
            foreach (var output in originalModel.Graph.Outputs)
            {
                if (DeclaredMismatch(output, original.Outputs[f][output.Name]) is { } wrong)
                {
                    return Outcome(FuzzVerdict.Invalid, $"the generator declared output '{output.Name}' wrongly: {wrong}");
                }
            }
        }

        VerificationPlan plan;
        try
        {
            plan = NumericalVerifier.Prepare(fuzzCase.Model, Options, cancellationToken);
        }
        catch (VerificationException ex)
        {
            return Outcome(FuzzVerdict.Disagreement, $"a valid model was refused: {OneLine(ex.Message)}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Outcome(FuzzVerdict.Crash, $"preparing verification: {ex.GetType().Name}: {OneLine(ex.Message)}");
        }

        var originalProblems = OnnxModelChecker.Check(fuzzCase.Model).ToHashSet(StringComparer.Ordinal);
        foreach (var level in Levels)
        {
            OptimizeResult result;
            try
            {
                result = new ModelOptimizer().Optimize(new OptimizeRequest { InputPath = $"fuzz-{seed}.onnx", Level = level, RandomSamples = 2 }, plan, cancellationToken);
            }
            catch (VerificationException ex)
            {
                return Outcome(FuzzVerdict.Disagreement, $"{level}: {OneLine(ex.Message)}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Outcome(FuzzVerdict.Crash, $"{level}: {ex.GetType().Name}: {OneLine(ex.Message)}");
            }

            if (result.Dropped.Count > 0)
            {
                var dropped = result.Dropped[0];
                return Outcome(FuzzVerdict.Disagreement, $"{level}: verification dropped pass {dropped.Pass}: {OneLine(dropped.Reason)}");
            }

            if (Disagreement(fuzzCase, originalModel, originalProblems, original, deployed, result.Model) is { } problem)
            {
                return Outcome(FuzzVerdict.Disagreement, $"{level}: {problem}");
            }
        }

        // With deployment shapes (edgectl optimize --shape): free dimensions bound to the first input set's sizes, so
        // shape arithmetic becomes constant and folds; checked on the input sets of exactly those shapes.
        var free = originalModel.Graph.Inputs.Where(i => i.Initializer is null && i.TensorType?.Shape is { } s && !s.IsFullyKnown).ToList();
        if (free.Count > 0 && fuzzCase.Feeds.Count > 0)
        {
            var shapes = free.ToDictionary(i => i.Name, i => fuzzCase.Feeds[0].Inputs[i.Name].Dims.ToArray(), StringComparer.Ordinal);
            var matching = fuzzCase.Feeds.Where(f => shapes.All(p => f.Inputs[p.Key].Dims.SequenceEqual(p.Value))).ToList();
            var specialised = fuzzCase with { Feeds = matching };
            try
            {
                var request = new OptimizeRequest { InputPath = $"fuzz-{seed}.onnx", Level = OptimizationLevel.O3, RandomSamples = 2, Shapes = shapes };
                var shapedPlan = NumericalVerifier.Prepare(fuzzCase.Model, Options with { Shapes = shapes }, cancellationToken);
                var result = new ModelOptimizer().Optimize(request, shapedPlan, cancellationToken);
                if (result.Dropped.Count > 0)
                {
                    return Outcome(FuzzVerdict.Disagreement, $"O3 with --shape: verification dropped pass {result.Dropped[0].Pass}: {OneLine(result.Dropped[0].Reason)}");
                }

                var originalShaped = Run(fuzzCase.Model, matching, Reference, repeatRandom: fuzzCase.RandomOutputs.Count > 0);
                var deployedShaped = Run(fuzzCase.Model, matching, Deployed, repeatRandom: fuzzCase.RandomOutputs.Count > 0);
                if (Disagreement(specialised, originalModel, originalProblems, originalShaped, deployedShaped, result.Model) is { } problem)
                {
                    return Outcome(FuzzVerdict.Disagreement, $"O3 with --shape: {problem}");
                }
            }
            catch (VerificationException ex)
            {
                return Outcome(FuzzVerdict.Disagreement, $"O3 with --shape: {OneLine(ex.Message)}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Outcome(FuzzVerdict.Crash, $"O3 with --shape: {ex.GetType().Name}: {OneLine(ex.Message)}");
            }
        }

        return Outcome(FuzzVerdict.Agreed, string.Empty);
    }

    /// <summary>The first way <paramref name="candidate"/> differs from the original, or null.</summary>
    internal static string? Disagreement(FuzzCase fuzzCase, Model originalModel, IReadOnlySet<string> originalProblems, RunResult original, RunResult deployed, byte[] candidate)
    {
        if (OnnxModelChecker.Check(candidate).FirstOrDefault(p => !originalProblems.Contains(p)) is { } structural)
        {
            return $"not well-formed: {structural}";
        }

        var model = OnnxModelReader.Read(candidate, "candidate", null);
        var names = model.Graph.Outputs.Select(o => o.Name).ToList();
        var expectedNames = originalModel.Graph.Outputs.Select(o => o.Name).ToList();
        if (!names.SequenceEqual(expectedNames, StringComparer.Ordinal))
        {
            return $"outputs [{string.Join(", ", names)}] instead of [{string.Join(", ", expectedNames)}]";
        }

        if (originalModel.IrVersion >= 4 && originalModel.Graph.Inputs.FirstOrDefault(i => i.Initializer is not null && model.Graph.Inputs.All(c => c.Name != i.Name)) is { } lost)
        {
            return $"the overridable initializer '{lost.Name}' is no longer an input";
        }

        var int8 = LiveInt8Bytes(model);
        if (int8 < LiveInt8Bytes(originalModel))
        {
            return $"int8 weights that reach an output shrank from {LiveInt8Bytes(originalModel)} to {int8} bytes (dequantised weights were folded)";
        }

        if (candidate.Length > (2L * fuzzCase.Model.Length) + (16 << 10))
        {
            return $"the model grew from {fuzzCase.Model.Length} to {candidate.Length} bytes";
        }

        var actual = Run(candidate, fuzzCase.Feeds, Deployed, repeatRandom: fuzzCase.RandomOutputs.Count > 0);
        if (actual.Failure is { } failure)
        {
            return $"the optimised model does not run where the original does: {failure}";
        }

        RunResult? unoptimised = null;

        for (var f = 0; f < fuzzCase.Feeds.Count; f++)
        {
            var label = fuzzCase.Feeds[f].Label;
            foreach (var output in model.Graph.Outputs.Distinct())
            {
                var e = original.Outputs[f][output.Name];
                var a = actual.Outputs[f][output.Name];
                if (e.ElementType != a.ElementType || !e.Dims.SequenceEqual(a.Dims))
                {
                    return $"output '{output.Name}' on '{label}' is {a} instead of {e}";
                }

                if (DeclaredMismatch(output, a) is { } declared)
                {
                    return $"output '{output.Name}' on '{label}': {declared}";
                }

                if (fuzzCase.RandomOutputs.Contains(output.Name))
                {
                    if (original.Varies.Contains(output.Name) && !actual.Varies.Contains(output.Name) && deployed.Varies.Contains(output.Name))
                    {
                        // (Unless ONNX Runtime's own optimiser stops it varying in the unchanged model too: it drops Dropout even in training mode.)
                        return $"output '{output.Name}' no longer varies from run to run (a random operator was folded or merged)";
                    }

                    continue;
                }

                // One quantisation step where the output is dequantised data or computed from a value the model
                // quantises (ONNX Runtime moves Q/DQ pairs along); or exactly what ONNX Runtime makes of the unchanged
                // original under the same settings (its integer kernels for dequantised weights, its own fusions).
                var step = Math.Max(fuzzCase.QuantisedOutputs.GetValueOrDefault(output.Name), QuantisedAncestorStep(originalModel, output.Name));
                if (Difference(e, a, step) is { } difference && Difference(deployed.Outputs[f][output.Name], a, 0) is not null)
                {
                    // Computed from dequantised weights: ONNX Runtime picks integer kernels by the graph around them, so
                    // the two deployed runs may differ by int8 rounding; both unoptimised runs must still agree.
                    unoptimised ??= ComputedFromDequantised(originalModel, output.Name) ? Run(candidate, fuzzCase.Feeds, Reference, repeatRandom: false) : null;
                    if (unoptimised is not { Failure: null } plain || Difference(e, plain.Outputs[f][output.Name], step) is not null)
                    {
                        return $"output '{output.Name}' on '{label}': {difference}";
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Outputs per feed (null where the model could not run), and which outputs changed between two runs.</summary>
    internal sealed record RunResult(IReadOnlyList<Dictionary<string, Tensor>> Outputs, IReadOnlySet<string> Varies, string? Failure);

    internal static RunResult Run(byte[] model, IReadOnlyList<FuzzFeed> feeds, SessionSettings settings, bool repeatRandom)
    {
        var outputs = new List<Dictionary<string, Tensor>>();
        var varies = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var session = ModelSession.Create(model, settings);
            foreach (var feed in feeds)
            {
                var inputs = feed.Inputs.Where(i => session.FeedNames.Contains(i.Key)).ToDictionary(StringComparer.Ordinal);
                try
                {
                    var first = session.Run(inputs);
                    outputs.Add(first);
                    // Up to eight more runs: a random output's draws can repeat by chance (1/8 a run for a ratio-0.5 Dropout of three elements).
                    for (var repeat = 0; repeatRandom && repeat < 8; repeat++)
                    {
                        foreach (var (name, tensor) in session.Run(inputs))
                        {
                            if (!tensor.ContentEquals(first[name]))
                            {
                                varies.Add(name);
                            }
                        }
                    }
                }
                catch (OnnxRuntimeException ex)
                {
                    return new RunResult(outputs, varies, $"on '{feed.Label}': {OneLine(ex.Message)}");
                }
            }
        }
        catch (OnnxRuntimeException ex)
        {
            return new RunResult(outputs, varies, $"ONNX Runtime cannot load it: {OneLine(ex.Message)}");
        }

        return new RunResult(outputs, varies, null);
    }

    private static string? Difference(Tensor expected, Tensor actual, double step)
    {
        if (!DataTypes.IsFloatingPoint(expected.ElementType))
        {
            return expected.ContentEquals(actual) ? null : "integer values differ";
        }

        var x = expected.ToDoubleArray();
        var y = actual.ToDoubleArray();
        var scale = x.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        var tolerance = 1e-4 + (1e-3 * scale) + (step * 1.0001);
        for (var i = 0; i < x.Length; i++)
        {
            if (x[i].Equals(y[i]))
            {
                continue;
            }

            if (double.IsNaN(x[i]) || double.IsNaN(y[i]) || Math.Abs(x[i] - y[i]) > tolerance)
            {
                return string.Create(CultureInfo.InvariantCulture, $"element {i} is {y[i]:G6} instead of {x[i]:G6} (tolerance {tolerance:G3})");
            }
        }

        return null;
    }

    private static string? DeclaredMismatch(Value output, Tensor actual)
    {
        if (output.TensorType is not { } declared)
        {
            return null;
        }

        if (declared.ElementType != DataType.Undefined && declared.ElementType != actual.ElementType)
        {
            return $"declared {declared}, returns {actual}";
        }

        if (declared.Shape is { } shape && (shape.Rank != actual.Dims.Length || shape.Dims.Where((d, i) => d.Value is { } v && v != actual.Dims[i]).Any()))
        {
            return $"declared {declared}, returns {actual}";
        }

        return null;
    }

    private static bool ComputedFromDequantised(Model model, string name)
    {
        var seen = new HashSet<Value>();
        var pending = new Stack<Value>(model.Graph.FindValue(name) is { } output ? [output] : []);
        while (pending.TryPop(out var value))
        {
            if (!seen.Add(value) || value.Producer is not { } node)
            {
                continue;
            }

            if (node.Is("DequantizeLinear"))
            {
                return true;
            }

            foreach (var read in Graph.Ir.Graph.ValuesRead(node))
            {
                pending.Push(read);
            }
        }

        return false;
    }

    /// <summary>The largest scale of a QuantizeLinear applied to a value output <paramref name="name"/> of the original is computed from; 0 if none.</summary>
    private static double QuantisedAncestorStep(Model model, string name)
    {
        var step = 0.0;
        var seen = new HashSet<Value>();
        var pending = new Stack<Value>(model.Graph.FindValue(name) is { } output ? [output] : []);
        while (pending.TryPop(out var value))
        {
            if (!seen.Add(value))
            {
                continue;
            }

            foreach (var use in value.Uses.Where(u => u.Node.Is("QuantizeLinear") && u.InputIndex == 0))
            {
                if (use.Node.Input(1)?.Initializer is { } scale)
                {
                    step = Math.Max(step, scale.ToDoubleArray().Max(Math.Abs));
                }
            }

            if (value.Producer is { } node)
            {
                foreach (var read in Graph.Ir.Graph.ValuesRead(node))
                {
                    pending.Push(read);
                }
            }
        }

        return step;
    }

    /// <summary>Bytes of int8 weights (not scalar zero points, which deduplication may share) read by nodes that reach an output.</summary>
    private static long LiveInt8Bytes(Model model)
    {
        var seen = new HashSet<Value>();
        var pending = new Stack<Value>(model.Graph.Outputs);
        long bytes = 0;
        while (pending.TryPop(out var value))
        {
            if (!seen.Add(value))
            {
                continue;
            }

            if (value.Initializer is { ElementType: DataType.Int8, ElementCount: > 1 } weights)
            {
                bytes += weights.ByteLength;
            }

            // Shape and Size read only their input's dimensions, not the weights behind it.
            if (value.Producer is { } node)
            {
                foreach (var read in node.Is("Shape") || node.Is("Size") ? [] : Graph.Ir.Graph.ValuesRead(node))
                {
                    pending.Push(read);
                }
            }
        }

        return bytes;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
