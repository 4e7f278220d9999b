using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeRuntime.Graph.Cost;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Inference.Optimization;

namespace EdgeRuntime.Fleet.Optimize;

/// <summary>The optimize verb's summary table and JSON report.</summary>
internal static class OptimizeSummary
{
    public static string Table(OptimizeResult result)
    {
        var text = new StringBuilder();
        var rows = new List<string[]> { new[] { "PASS", "KIND", "RUNS", "CHANGES", "NODES", "INITIALIZERS", "MFLOPS", "MB MOVED", "MS" } };
        foreach (var pass in result.Report.Passes.Where(p => p.Changes > 0))
        {
            rows.Add([pass.Pass, pass.Kind.ToString().ToLowerInvariant(), Int(pass.Runs), Int(pass.Changes), Arrow(pass.Before.Nodes, pass.After.Nodes),
                Arrow(pass.Before.Initializers, pass.After.Initializers), Flops(pass.Before, pass.After), Bytes(pass.Before, pass.After),
                pass.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)]);
        }

        var (before, after) = (result.Report.Before, result.Report.After);
        rows.Add(["total", string.Empty, string.Empty, string.Empty, Arrow(before.Nodes, after.Nodes), Arrow(before.Initializers, after.Initializers),
            Flops(before, after), Bytes(before, after),
            result.Report.Passes.Sum(p => p.Elapsed.TotalMilliseconds).ToString("F0", CultureInfo.InvariantCulture)]);
        Append(text, rows);
        text.Append("RUNS: times the pass ran (passes repeat until none changes the model); CHANGES: its rewrites; NODES to MB MOVED: before → after, per inference, from the cost model (a multiply-add is 2 FLOPs; bytes read + written); MS: the pass's own time\n");
        var uncounted = result.Report.Passes.Where(p => p.Changes > 0).SelectMany(p => new[] { p.Before, p.After }).Append(before).Append(after).Max(c => c.NodesWithUnknownCost);
        if (uncounted > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"?: not counted: up to {Int(uncounted)} node(s) have shapes that depend on a free dimension (--shape NAME=DIMS binds free dimensions)\n");
        }

        text.Append('\n');
        var outputs = new List<string[]> { new[] { "OUTPUT", "MAX ABS", "MAX REL", "COSINE", "TOP-1", "VERDICT", "TOLERANCE" } };
        foreach (var output in result.Verification.Outputs)
        {
            outputs.Add([output.Output, Sci(output.MaxAbsoluteError), Sci(output.MaxRelativeError), double.IsNaN(output.Cosine) ? "-" : output.Cosine.ToString("F7", CultureInfo.InvariantCulture),
                output.Top1Agreement?.ToString("P1", CultureInfo.InvariantCulture) ?? "-", output.Passed ? "match" : "MISMATCH", output.ToleranceApplied]);
        }

        Append(text, outputs);
        foreach (var line in result.Verification.Coverage.Where(l => !l.StartsWith("sample: ", StringComparison.Ordinal)))
        {
            text.Append(CultureInfo.InvariantCulture, $"verified: {line}\n");
        }

        var samples = result.Verification.Coverage.Where(l => l.StartsWith("sample: ", StringComparison.Ordinal)).Select(l => l["sample: ".Length..]).ToList();
        if (samples.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"input sets: {string.Join("; ", samples)}\n");
        }
        if (result.Candidates.Count > 0)
        {
            text.Append('\n');
            var timed = new List<string[]> { new[] { "VARIANT", "NODES", "MEDIAN MS", "VS ORIGINAL", string.Empty } };
            timed.Add(["original", Int(result.Report.Before.Nodes), Ms(result.OriginalMilliseconds!.Value), "1.00", string.Empty]);
            foreach (var candidate in result.Candidates)
            {
                timed.Add([candidate.Label, Int(candidate.Nodes), Ms(candidate.MedianMilliseconds), (candidate.MedianMilliseconds / result.OriginalMilliseconds.Value).ToString("F2", CultureInfo.InvariantCulture), candidate.Chosen ? "kept" : string.Empty]);
            }

            Append(text, timed);
        }

        foreach (var dropped in result.Dropped)
        {
            text.Append(CultureInfo.InvariantCulture, $"dropped pass {dropped.Pass}: {dropped.Reason}{(dropped.Nodes.Count > 0 ? $" (nodes: {string.Join(", ", dropped.Nodes.Take(5))})" : string.Empty)}\n");
        }

        return text.ToString();
    }

    public static string Json(string input, string output, OptimizeResult result)
    {
        static JsonObject Cost(GraphCost cost) => new()
        {
            ["nodes"] = cost.Nodes,
            ["initializers"] = cost.Initializers,
            ["flops"] = cost.Flops,
            ["bytesRead"] = cost.BytesRead,
            ["bytesWritten"] = cost.BytesWritten,
            ["parameterBytes"] = cost.ParameterBytes,
            ["nodesWithUnknownCost"] = cost.NodesWithUnknownCost,
        };

        var report = new JsonObject
        {
            ["input"] = input,
            ["output"] = output,
            ["before"] = Cost(result.Report.Before),
            ["after"] = Cost(result.Report.After),
            ["iterations"] = result.Report.Iterations,
            ["passes"] = new JsonArray([.. result.Report.Passes.Select(p => (JsonNode)new JsonObject
            {
                ["pass"] = p.Pass,
                ["kind"] = p.Kind.ToString().ToLowerInvariant(),
                ["runs"] = p.Runs,
                ["changes"] = p.Changes,
                ["before"] = Cost(p.Before),
                ["after"] = Cost(p.After),
                ["milliseconds"] = p.Elapsed.TotalMilliseconds,
                ["touchedNodes"] = new JsonArray([.. p.TouchedNodes.Select(n => (JsonNode)n)]),
            })]),
            ["verification"] = new JsonObject
            {
                ["passed"] = result.Verification.Passed,
                ["samples"] = result.Verification.Samples,
                ["outputs"] = new JsonArray([.. result.Verification.Outputs.Select(o => (JsonNode)new JsonObject
                {
                    ["output"] = o.Output,
                    ["maxAbsoluteError"] = Finite(o.MaxAbsoluteError),
                    ["maxRelativeError"] = Finite(o.MaxRelativeError),
                    ["cosine"] = Finite(o.Cosine),
                    ["top1Agreement"] = o.Top1Agreement,
                    ["passed"] = o.Passed,
                    ["tolerance"] = o.ToleranceApplied,
                })]),
                ["coverage"] = new JsonArray([.. result.Verification.Coverage.Select(c => (JsonNode)c)]),
            },
            ["originalMilliseconds"] = result.OriginalMilliseconds,
            ["candidates"] = new JsonArray([.. result.Candidates.Select(c => (JsonNode)new JsonObject
            {
                ["label"] = c.Label,
                ["nodes"] = c.Nodes,
                ["medianMilliseconds"] = c.MedianMilliseconds,
                ["chosen"] = c.Chosen,
            })]),
            ["droppedPasses"] = new JsonArray([.. result.Dropped.Select(d => (JsonNode)new JsonObject
            {
                ["pass"] = d.Pass,
                ["reason"] = d.Reason,
                ["nodes"] = new JsonArray([.. d.Nodes.Select(n => (JsonNode)n)]),
            })]),
        };
        return report.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static string PassList() => string.Join('\n', OptimizationPresets.All.Select(p =>
        $"{p.Name,-36} {p.Level}  {p.Kind.ToString().ToLowerInvariant(),-11}  {p.Description}")) + "\n";

    // JSON has no NaN: an output compared by type and shape only (random) has no error to report.
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Arrow(int before, int after) => before == after ? Int(before) : $"{Int(before)} → {Int(after)}";

    // A cost with uncounted nodes (shapes that depend on a free dimension) undercounts: "?" rather than a small number
    // that reads as a measurement, or an arrow that reads as the pass adding the cost.
    private static string Flops(GraphCost before, GraphCost after) => Arrow(Known(before, before.Flops / 1e6), Known(after, after.Flops / 1e6));

    private static string Bytes(GraphCost before, GraphCost after) => Arrow(Known(before, before.BytesMoved / 1e6), Known(after, after.BytesMoved / 1e6));

    private static string Known(GraphCost cost, double value) => cost.NodesWithUnknownCost > 0 ? "?" : Amount(value);

    private static string Arrow(string before, string after) => before == after ? before : $"{before} → {after}";

    /// <summary>One decimal from 1 up, up to three below (a small model's 0.022 MFLOPS is not "0.0"), never an exponent.</summary>
    private static string Amount(double value) => value switch
    {
        0 => "0",
        >= 1 => value.ToString("F1", CultureInfo.InvariantCulture),
        >= 0.001 => value.ToString("0.###", CultureInfo.InvariantCulture),
        _ => "<0.001",
    };

    private static string Sci(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0E+0", CultureInfo.InvariantCulture);

    private static void Append(StringBuilder text, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                text.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            text.Append('\n');
        }
    }
}
