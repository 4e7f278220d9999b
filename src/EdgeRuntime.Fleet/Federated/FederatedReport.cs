using System.Globalization;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Fleet.Federated.Simulation;
using EdgeRuntime.Learning.Evaluation;

namespace EdgeRuntime.Fleet.Federated;

/// <summary>The summary tables of <c>edgectl fl simulate</c> (markdown, as docs/federated.md quotes them).</summary>
internal static class FederatedReport
{
    public static async Task WriteAsync(TextWriter output, IReadOnlyList<SimulationResult> runs, ForecastScores? central, ForecastScores? localOnly, ForecastScores lastValue, ForecastScores? localKept = null)
    {
        var horizons = lastValue.Horizons;
        await output.WriteLineAsync();
        await output.WriteLineAsync("| run | versions | updates | applied | expired | rejected | final validation MAE | test MAE " + string.Join(" / ", horizons.Select(h => $"+{h}")) + " | test mean | simulated | real |");
        await output.WriteLineAsync("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var run in runs)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {run.Setup.Name} | {run.Versions} | {run.Devices.Sum(d => d.Produced)} | {run.Devices.Sum(d => d.Applied)} | {run.Devices.Sum(d => d.Expired)} | {run.Devices.Sum(d => d.Rejected)} | {run.FinalValidationMae:0.000} | {string.Join(" / ", run.FinalTest.Mae.Select(m => m.ToString("0.000", CultureInfo.InvariantCulture)))} | {FederatedSimulation.Mean(run.FinalTest):0.000} | {FederatedSimulation.Format(run.Elapsed)} | {run.WallTime.TotalSeconds:0} s |"));
        }

        await WriteAccountingAsync(output, runs);
        if (central is not null && localOnly is not null)
        {
            await output.WriteLineAsync();
            var kept = localKept is null ? string.Empty : $" vs {localKept.Forecaster} |";
            await output.WriteLineAsync("| forecaster (test part) | " + string.Join(" | ", horizons.Select(h => $"+{h}")) + " | mean | vs central | vs local only |" + kept);
            await output.WriteLineAsync("| --- |" + string.Concat(horizons.Select(_ => " --- |")) + " --- | --- | --- |" + (localKept is null ? string.Empty : " --- |"));
            string Changes(double mean) => $"{Change(mean, FederatedSimulation.Mean(central))} | {Change(mean, FederatedSimulation.Mean(localOnly))} |" + (localKept is null ? string.Empty : $" {Change(mean, FederatedSimulation.Mean(localKept))} |");
            foreach (var run in runs)
            {
                var mean = FederatedSimulation.Mean(run.FinalTest);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"| {run.Setup.Name} (federated), final v{run.Points[^1].Version} | {string.Join(" | ", run.FinalTest.Mae.Select(m => m.ToString("0.000", CultureInfo.InvariantCulture)))} | {mean:0.000} | {Changes(mean)}"));

                // The version a fleet would keep: the best on the held-out slices (the test part plays no part in choosing it).
                var best = BestOnValidation(run);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"| {run.Setup.Name} (federated), best validation MAE: v{best.Version} at {FederatedSimulation.Format(best.Elapsed)} |{string.Concat(horizons.Select(_ => " |"))} {best.TestMae:0.000} | {Changes(best.TestMae)}"));
            }

            var rows = new List<(string, ForecastScores)> { ("central (pooled data)", central), ("local only", localOnly) };
            if (localKept is not null)
            {
                rows.Add((localKept.Forecaster, localKept));
            }

            rows.Add(("repeat the last value", lastValue));
            foreach (var (name, scores) in rows)
            {
                var mean = FederatedSimulation.Mean(scores);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {string.Join(" | ", scores.Mae.Select(m => m.ToString("0.000", CultureInfo.InvariantCulture)))} | {mean:0.000} | {Changes(mean)}"));
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"(+1 interval only: central {central.Mae[0]:0.000}, local only {localOnly.Mae[0]:0.000}{(localKept is null ? string.Empty : $", {localKept.Forecaster} {localKept.Mae[0]:0.000}")}{string.Concat(runs.Select(r => $", {r.Setup.Name} {r.FinalTest.Mae[0]:0.000} ({Change(r.FinalTest.Mae[0], central.Mae[0])} vs central, {Change(r.FinalTest.Mae[0], localOnly.Mae[0])} vs local only{(localKept is null ? string.Empty : $", {Change(r.FinalTest.Mae[0], localKept.Mae[0])} vs {localKept.Forecaster}")})"))})"));
        }

        await WriteSpeedAsync(output, runs);
        await WritePoisoningAsync(output, runs);
    }

    // Nothing lost, nothing counted twice: per device, what it produced is in exactly one place at the end.
    private static async Task WriteAccountingAsync(TextWriter output, IReadOnlyList<SimulationResult> runs)
    {
        await output.WriteLineAsync();
        foreach (var run in runs)
        {
            var wrong = run.Devices.Where(d => !d.Balances).ToList();
            var all = run.Devices;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{run.Setup.Name}: {(wrong.Count == 0 ? "nothing lost" : $"ACCOUNTING MISMATCH on {wrong.Count} device(s)")}: produced {all.Sum(d => d.Produced)} = applied {all.Sum(d => d.Applied)} + expired {all.Sum(d => d.Expired)} + rejected {all.Sum(d => d.Rejected)} + buffered {all.Sum(d => d.Buffered)} + in outboxes {all.Sum(d => d.Pending)}{(run.AggregatorShares.Count > 1 ? $"; the member aggregator(s) took {string.Join(", ", run.AggregatorShares.Skip(1))} of them from the shared subscription" : string.Empty)}"));
            var offline = (run.Setup.Offline ?? []).Select(s => s.Device).Distinct().Where(i => i < all.Count).Select(i => all[i]);
            foreach (var device in wrong.Concat(offline).Distinct())
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  device {device.Device}{(device.Balances ? string.Empty : " (MISMATCH)")}: produced {device.Produced} = applied {device.Applied} + expired {device.Expired} + rejected {device.Rejected} + buffered {device.Buffered} + in outbox {device.Pending}"));
            }
        }
    }

    // FedBuff against FedAvg of the same seed, attackers and rule: time to FedAvg's final validation MAE.
    private static async Task WriteSpeedAsync(TextWriter output, IReadOnlyList<SimulationResult> runs)
    {
        var pairs = runs.Where(r => r.Setup.Aggregation.Mode == AggregationMode.FedAvg)
            .Select(a => (FedAvg: a, FedBuff: runs.FirstOrDefault(b => b.Setup.Aggregation.Mode == AggregationMode.FedBuff && b.Setup.Seed == a.Setup.Seed && b.Setup.PoisonShare == a.Setup.PoisonShare && b.Setup.Aggregation.Combine == a.Setup.Aggregation.Combine)))
            .Where(p => p.FedBuff is not null)
            .ToList();
        if (pairs.Count == 0)
        {
            return;
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("| seed | FedAvg final validation MAE | FedAvg reached it at | FedBuff reached it at | FedAvg time / FedBuff time | FedBuff final MAE (change) |");
        await output.WriteLineAsync("| --- | --- | --- | --- | --- | --- |");
        foreach (var (fedAvg, fedBuff) in pairs)
        {
            var target = fedAvg.FinalValidationMae;
            var avgTime = fedAvg.TimeToReach(target)!.Value;
            var buffTime = fedBuff!.TimeToReach(target);
            var ratio = buffTime is { } t && t > TimeSpan.Zero ? avgTime / t : double.NaN;
            var buffFinal = fedBuff.Points.Where(p => p.Elapsed <= fedAvg.Elapsed).LastOrDefault()?.ValidationMae ?? fedBuff.FinalValidationMae;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {fedAvg.Setup.Seed} | {target:0.000} | {FederatedSimulation.Format(avgTime)} | {(buffTime is { } b ? FederatedSimulation.Format(b) : "not reached")} | {(double.IsNaN(ratio) ? "–" : $"{ratio:0.00}×")} | {buffFinal:0.000} ({Change(buffFinal, target)}) |"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ratio seed {fedAvg.Setup.Seed}: {ratio:0.00}"));
        }
    }

    // Each attacked run against the clean run of the same strategy and seed with the plain mean.
    private static async Task WritePoisoningAsync(TextWriter output, IReadOnlyList<SimulationResult> runs)
    {
        var attacked = runs.Where(r => r.Setup.PoisonShare > 0).ToList();
        if (attacked.Count == 0)
        {
            return;
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("| attacked run | final test MAE | clean run (plain mean) | change |");
        await output.WriteLineAsync("| --- | --- | --- | --- |");
        foreach (var run in attacked)
        {
            var clean = runs.FirstOrDefault(c => c.Setup.PoisonShare == 0 && c.Setup.Seed == run.Setup.Seed && c.Setup.Aggregation.Mode == run.Setup.Aggregation.Mode && c.Setup.Aggregation.Combine == CombineRule.Mean);
            if (clean is null)
            {
                continue;
            }

            var mae = FederatedSimulation.Mean(run.FinalTest);
            var cleanMae = FederatedSimulation.Mean(clean.FinalTest);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {run.Setup.Name} | {mae:0.000} | {cleanMae:0.000} | {Change(mae, cleanMae)} |"));
        }
    }

    /// <summary>The evaluated version with the lowest validation MAE (the first of equals).</summary>
    public static SimulationPoint BestOnValidation(SimulationResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Points.Aggregate((best, p) => p.ValidationMae < best.ValidationMae ? p : best);
    }

    private static string Change(double value, double reference) => string.Create(CultureInfo.InvariantCulture, $"{(value / reference) - 1:+0.0%;-0.0%}");
}
