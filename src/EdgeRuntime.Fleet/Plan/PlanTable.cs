using System.Globalization;
using System.Text;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Inference.Planning;

namespace EdgeRuntime.Fleet.Plan;

/// <summary>The plan verb's printed forms: the device, the candidate table, the verdict.</summary>
internal static class PlanTable
{
    /// <summary>The device in two lines: CPU, instruction sets, cores, memory, Jetson; providers with reasons.</summary>
    public static string Device(DeviceProfile device)
    {
        var jetson = device.Jetson is null ? string.Empty : $", {device.Jetson}";
        var providers = string.Join("; ", device.Providers.Select(p => p.Available ? $"{p.Provider}: available" : $"{p.Provider}: {p.Reason}"));
        return string.Create(CultureInfo.InvariantCulture, $"device {device.Fingerprint}: {device.CpuModel} [{string.Join(" ", device.InstructionSets)}], {device.Cores} cores, {device.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB{jetson}\nproviders: {providers}\n");
    }

    /// <summary>Every candidate: stage, plan, median and quartiles, runs, ratio to ONNX Runtime's default in its race, error, outcome.</summary>
    public static string Candidates(PlanReport report)
    {
        var rows = new List<string[]> { new[] { "STAGE", "PLAN", "MEDIAN MS", "Q1–Q3 MS", "RUNS", "VS DEFAULT", "MAX REL ERR", "MIN COS", "OUTCOME", "WHY" } };
        foreach (var c in report.Candidates)
        {
            var baseline = report.Candidates.FirstOrDefault(b => b.Stage == c.Stage && b.Settings.IsRuntimeDefault)?.MedianMilliseconds;
            rows.Add([
                c.Stage.ToString(CultureInfo.InvariantCulture),
                c.Plan,
                c.MedianMilliseconds is { } m ? Ms(m) : "-",
                c.Q1Milliseconds is { } q1 && c.Q3Milliseconds is { } q3 ? $"{Ms(q1)}–{Ms(q3)}" : "-",
                c.Runs.ToString(CultureInfo.InvariantCulture),
                c.MedianMilliseconds is { } median && baseline is { } b && b > 0 ? (median / b).ToString("0.00", CultureInfo.InvariantCulture) : "-",
                c.MaxRelativeError is { } e ? e.ToString("0.0E+0", CultureInfo.InvariantCulture) : "-",
                c.MinCosine is { } cos ? cos.ToString("0.0000", CultureInfo.InvariantCulture) : "-",
                Outcome(c.Outcome),
                c.Reason,
            ]);
        }

        var text = new StringBuilder();
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                text.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The verdict: the chosen plan and its ratio to ONNX Runtime's default, measured in interleaved pairs.</summary>
    public static string Verdict(PlanReport report)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"chosen: {report.Chosen.Describe()}\n");
        if (report.VersusDefault is { } v)
        {
            text.Append(CultureInfo.InvariantCulture, $"vs ONNX Runtime's default (Cpu, all, default threads, original model): {v.Median:0.000}× (range {v.Low:0.000}–{v.High:0.000} over {v.Pairs} interleaved pairs; {Ms(v.CandidateMilliseconds)} ms vs {Ms(v.BaselineMilliseconds)} ms)\n");
        }
        else
        {
            text.Append("vs ONNX Runtime's default: 1.000× (the default is the chosen plan)\n");
        }

        foreach (var note in report.Notes)
        {
            text.Append(CultureInfo.InvariantCulture, $"note: {note}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"searched in {report.ElapsedSeconds:0.0} s of a {report.BudgetSeconds:0} s budget\n");
        return text.ToString();
    }

    private static string Outcome(CandidateOutcome outcome) => outcome switch
    {
        CandidateOutcome.Chosen => "CHOSEN",
        CandidateOutcome.Slower => "slower",
        CandidateOutcome.StoppedEarly => "stopped early",
        CandidateOutcome.OutsideTolerance => "outside tolerance",
        CandidateOutcome.Failed => "failed",
        _ => "not measured",
    };

    private static string Ms(double value) => value.ToString(value < 1 ? "0.000" : value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
}
