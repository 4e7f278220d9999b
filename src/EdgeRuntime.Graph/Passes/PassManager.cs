using System.Diagnostics;
using EdgeRuntime.Graph.Cost;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Passes;

/// <summary>
/// Runs passes in order, again and again until none changes the model (or an iteration limit), re-inferring
/// shapes after every change. With <see cref="VerifyAfterEachPass"/> the IR verifier runs after every pass
/// and a broken invariant names the pass. Not thread-safe; one run at a time.
/// </summary>
public sealed class PassManager(IEnumerable<GraphPass> passes)
{
    private readonly IReadOnlyList<GraphPass> _passes = [.. passes];

    /// <summary>The passes, in run order.</summary>
    public IReadOnlyList<GraphPass> Passes => _passes;

    /// <summary>Check the IR after every pass (tests turn it on; it costs a walk of the graph).</summary>
    public bool VerifyAfterEachPass { get; init; }

    /// <summary>Most fixed-point iterations. Default 8.</summary>
    public int MaxIterations { get; init; } = 8;

    /// <summary>Optimises <paramref name="model"/> in place.</summary>
    /// <exception cref="InvalidGraphException">With <see cref="VerifyAfterEachPass"/>, a pass broke the IR.</exception>
    public OptimizationReport Run(Model model, PassContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        ShapeInference.Run(model);
        var before = CostModel.Estimate(model);

        // The cost of the model as it stands: it changes only when a pass changes the model, so a pass that changes
        // nothing costs no estimate.
        var current = before;
        var reports = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        var preserved = context.PreservedInitializers.Count > 0 ? new PreservedInitializerCheck(model, context) : null;
        var iterations = 0;
        var changed = true;
        while (changed && iterations < MaxIterations)
        {
            changed = false;
            iterations++;
            foreach (var pass in _passes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!reports.TryGetValue(pass.Name, out var accumulator))
                {
                    reports[pass.Name] = accumulator = new Accumulator(pass);
                }

                var costBefore = accumulator.Changes == 0 ? current : null;
                context.Touched.Clear();
                var started = Stopwatch.GetTimestamp();
                bool passChanged;
                try
                {
                    passChanged = pass.Run(model, context);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not PassFailedException and not ArgumentException)
                {
                    throw new PassFailedException(pass.Name, ex);
                }

                accumulator.Elapsed += Stopwatch.GetElapsedTime(started);
                accumulator.Runs++;
                if (!passChanged)
                {
                    continue;
                }

                changed = true;
                if (preserved?.Violation(model) is { } broken)
                {
                    throw new PassFailedException(pass.Name, new InvalidOperationException(broken));
                }

                ShapeInference.Run(model);
                if (VerifyAfterEachPass)
                {
                    try
                    {
                        GraphVerifier.ThrowIfInvalid(model, $"after pass {pass.Name}");
                    }
                    catch (InvalidGraphException ex)
                    {
                        throw new PassFailedException(pass.Name, ex);
                    }
                }

                accumulator.Before ??= costBefore;
                accumulator.After = current = CostModel.Estimate(model);
                accumulator.Changes++;
                accumulator.Touched.UnionWith(context.Touched);
                context.Log?.Invoke($"{pass.Name}: {accumulator.After.Nodes} nodes, {accumulator.After.Initializers} initializers");
            }
        }

        var after = current;
        return new OptimizationReport(before, after, [.. reports.Values.Select(a => a.ToReport(after))], iterations);
    }

    /// <summary>A pass threw, or left the IR broken; <see cref="Pass"/> names it.</summary>
    public sealed class PassFailedException(string pass, Exception inner)
        : Exception($"pass {pass} failed: {inner.Message.ReplaceLineEndings(" ")}", inner)
    {
        /// <summary>The failing pass.</summary>
        public string Pass { get; } = pass;
    }

    private sealed class Accumulator(GraphPass pass)
    {
        public int Runs { get; set; }

        public int Changes { get; set; }

        public GraphCost? Before { get; set; }

        public GraphCost? After { get; set; }

        public TimeSpan Elapsed { get; set; }

        public HashSet<string> Touched { get; } = new(StringComparer.Ordinal);

        public PassReport ToReport(GraphCost current) =>
            new(pass.Name, pass.Kind, Runs, Changes, Before ?? current, After ?? current, Elapsed, [.. Touched.Order(StringComparer.Ordinal)]);
    }
}
