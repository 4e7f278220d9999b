using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EdgeRuntime.Delivery.Tests.Faults;

/// <summary>
/// The campaign's account: every fault placed, every recovery seen, and every invariant that did not hold (with what
/// was seen). The summary line is <c>faults N, recovered N, violations 0</c>.
/// </summary>
internal sealed class FaultLedger(string name, int seed)
{
    private readonly List<string> _violations = [];
    private readonly List<string> _log = [];
    private readonly Dictionary<FaultKind, int> _byKind = [];
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    public int Faults { get; private set; }

    public int Recovered { get; private set; }

    public IReadOnlyList<string> Violations => _violations;

    public void Fault(FaultKind kind, string where)
    {
        Faults++;
        _byKind[kind] = _byKind.GetValueOrDefault(kind) + 1;
        Note($"fault {Faults}: {kind} ({where})");
    }

    public void Recovery(TimeSpan afterFault)
    {
        Recovered++;
        Note(string.Create(CultureInfo.InvariantCulture, $"  recovered in {afterFault.TotalSeconds:0.0} s"));
    }

    public void Violation(string what)
    {
        _violations.Add($"fault {Faults}: {what}");
        Note($"  VIOLATION: {what}");
    }

    public void Note(string line) => _log.Add(string.Create(CultureInfo.InvariantCulture, $"{_watch.Elapsed.TotalSeconds,7:0.0} {line}"));

    public string Summary => string.Create(CultureInfo.InvariantCulture, $"{name}: faults {Faults}, recovered {Recovered}, violations {_violations.Count} (seed {seed}, {_watch.Elapsed.TotalSeconds:0} s; {string.Join(", ", _byKind.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))})");

    public string Report()
    {
        var text = new StringBuilder();
        text.AppendLine(Summary);
        foreach (var violation in _violations)
        {
            text.AppendLine(violation);
        }

        text.AppendLine("--- log ---");
        foreach (var line in _log)
        {
            text.AppendLine(line);
        }

        return text.ToString();
    }
}
