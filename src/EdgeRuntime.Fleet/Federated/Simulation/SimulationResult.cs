using EdgeRuntime.Learning.Evaluation;

namespace EdgeRuntime.Fleet.Federated.Simulation;

/// <summary>A point of the run: a version and its MAE (mean over horizons, and at the first horizon).</summary>
/// <param name="Elapsed">Simulated time since the start.</param>
/// <param name="Version">The global version.</param>
/// <param name="ValidationMae">MAE on the pooled held-out data, mean over horizons.</param>
/// <param name="ValidationMaeFirst">…at the first horizon.</param>
/// <param name="TestMae">MAE on the pooled test data, mean over horizons.</param>
/// <param name="Updates">Updates produced by the fleet so far.</param>
public sealed record SimulationPoint(TimeSpan Elapsed, long Version, double ValidationMae, double ValidationMaeFirst, double TestMae, long Updates);

/// <summary>A device's accounting at the end: what it produced, and the lead aggregator's ledger of it.</summary>
public sealed record DeviceTally(string Device, long Produced, long Applied, long Expired, long Rejected, long Buffered, long Pending)
{
    /// <summary>Whether every update it produced is in exactly one place: applied, expired, rejected, buffered, or still in its outbox.</summary>
    public bool Balances => Produced == Applied + Expired + Rejected + Buffered + Pending;
}

/// <summary>A finished run.</summary>
/// <param name="Setup">What ran.</param>
/// <param name="Points">One per evaluated version (every version, or every Nth and the last).</param>
/// <param name="FinalTest">The last version's test scores per horizon.</param>
/// <param name="Devices">Per device accounting.</param>
/// <param name="Elapsed">Simulated time at the end.</param>
/// <param name="WallTime">Real time the run took.</param>
public sealed record SimulationResult(SimulationSetup Setup, IReadOnlyList<SimulationPoint> Points, ForecastScores FinalTest, IReadOnlyList<DeviceTally> Devices, TimeSpan Elapsed, TimeSpan WallTime)
{
    /// <summary>The first simulated time the validation MAE was at most <paramref name="target"/>, or null.</summary>
    public TimeSpan? TimeToReach(double target) => Points.FirstOrDefault(p => p.ValidationMae <= target)?.Elapsed;

    /// <summary>Updates each aggregator took from the shared subscription (its own ledger; the lead's first).</summary>
    public IReadOnlyList<long> AggregatorShares { get; init; } = [];

    /// <summary>‖c‖₂ of SCAFFOLD's fleet control variate as the last delivered version carries it; null without control variates.</summary>
    public double? ControlVariateNorm { get; init; }

    /// <summary>New versions made during the run.</summary>
    public long Versions => Points[^1].Version - Points[0].Version;

    /// <summary>The final validation MAE.</summary>
    public double FinalValidationMae => Points[^1].ValidationMae;
}
