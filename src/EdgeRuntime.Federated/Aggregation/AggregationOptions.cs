namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// How an aggregator folds updates into versions (<c>edgectl aggregator</c>'s options). Defaults are FedBuff with
/// K = 10, s(τ) = (1+τ)^−½, at most 10 versions of staleness, the plain mean, and server SGD with η = 1.
/// </summary>
public sealed record AggregationOptions
{
    /// <summary>Rounds or buffer. Default FedBuff.</summary>
    public AggregationMode Mode { get; init; } = AggregationMode.FedBuff;

    /// <summary>FedBuff: updates per version (K). Default 10.</summary>
    public int BufferSize { get; init; } = 10;

    /// <summary>FedBuff: also make a version when the oldest buffered update has waited this long (null: only at K). Default null.</summary>
    public TimeSpan? MaxWait { get; init; }

    /// <summary>FedAvg: updates of the round's version needed before the deadline may close it. Default 1.</summary>
    public int Quorum { get; init; } = 1;

    /// <summary>FedAvg: a round closes this long after it started, if the quorum has arrived. Default 10 minutes.</summary>
    public TimeSpan RoundDeadline { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>FedAvg: a round closes as soon as this many updates of its version arrived (0: only at the deadline). Default 0.</summary>
    public int ExpectedParticipants { get; init; }

    /// <summary>Updates whose base is more than this many versions old expire (counted, never applied). Default 10.</summary>
    public int MaxStaleness { get; init; } = 10;

    /// <summary>The staleness weight. Default polynomial.</summary>
    public StalenessFunction Staleness { get; init; } = StalenessFunction.Polynomial;

    /// <summary>a of the polynomial and hinge forms. Default 0.5.</summary>
    public double StalenessExponent { get; init; } = 0.5;

    /// <summary>b of the hinge form (versions of staleness at full weight). Default 4.</summary>
    public int HingeOffset { get; init; } = 4;

    /// <summary>Mean, trimmed mean or median. Default mean.</summary>
    public CombineRule Combine { get; init; } = CombineRule.Mean;

    /// <summary>β of the trimmed mean: the share dropped at each end. Default 0.2.</summary>
    public double TrimFraction { get; init; } = 0.2;

    /// <summary>The server optimiser. Default SGD.</summary>
    public ServerOptimizerKind ServerOptimizer { get; init; } = ServerOptimizerKind.Sgd;

    /// <summary>η, the server learning rate. Default 1 (1e-2 is usual for FedAdam).</summary>
    public double ServerLearningRate { get; init; } = 1.0;

    /// <summary>
    /// D of the server step's inverse-square-root decay η / √(1 + t / D) over the versions made t
    /// (<see cref="Aggregation.ServerOptimizer.LearningRate"/>); 0 keeps η constant. Default 0.
    /// </summary>
    public double ServerLearningRateDecay { get; init; }

    /// <summary>
    /// N of the server step's cosine schedule over a campaign of N versions, η · ½(1 + cos(π·min(t, N)/N)) after t
    /// versions: the schedule central training uses over its epochs, so the last versions of a campaign settle instead of
    /// swinging; after N versions the step is 0 (the fleet keeps the version it has until a new campaign).
    /// 0 turns it off. Not together with <see cref="ServerLearningRateDecay"/>. Default 0.
    /// </summary>
    public int ServerLearningRateCosine { get; init; }

    /// <summary>β of FedAvgM, β₁ of FedAdam. Default 0.9.</summary>
    public double ServerMomentum { get; init; } = 0.9;

    /// <summary>β₂ of FedAdam. Default 0.99.</summary>
    public double ServerBeta2 { get; init; } = 0.99;

    /// <summary>τ of FedAdam (its adaptivity). Default 1e-3.</summary>
    public double ServerEpsilon { get; init; } = 1e-3;

    /// <summary>The L2 bound every decoded delta is clipped to again at the aggregator (a device's own clipping is not trusted). Default 1.</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>An update's examples count at most this much in the mean (one device cannot outweigh the fleet by claiming a huge count). Default 100,000.</summary>
    public long MaxSampleWeight { get; init; } = 100_000;

    /// <summary>What is wrong with the options (the option and allowed values), or null.</summary>
    public string? Check() =>
        BufferSize is < 1 or > 100_000 ? $"--buffer {BufferSize} is outside 1..100000"
        : Quorum is < 1 or > 100_000 ? $"--quorum {Quorum} is outside 1..100000"
        : ExpectedParticipants is < 0 or > 100_000 ? $"--expected {ExpectedParticipants} is outside 0..100000"
        : RoundDeadline <= TimeSpan.Zero ? "--deadline must be positive"
        : MaxWait is { } wait && wait <= TimeSpan.Zero ? "--max-wait must be positive"
        : MaxStaleness is < 0 or > 1_000_000 ? $"--max-staleness {MaxStaleness} is outside 0..1000000"
        : !(StalenessExponent >= 0) || !double.IsFinite(StalenessExponent) ? $"--staleness-exponent {StalenessExponent} must be ≥ 0"
        : HingeOffset < 0 ? $"--hinge-offset {HingeOffset} must be ≥ 0"
        : TrimFraction is < 0 or >= 0.5 ? $"--trim {TrimFraction} is outside [0, 0.5)"
        : !(ServerLearningRate > 0) || !double.IsFinite(ServerLearningRate) ? $"--server-lr {ServerLearningRate} must be positive"
        : !(ServerLearningRateDecay >= 0) || !double.IsFinite(ServerLearningRateDecay) ? $"--server-lr-decay {ServerLearningRateDecay} must be 0 (none) or positive"
        : ServerLearningRateCosine is < 0 or > 1_000_000 ? $"--server-lr-cosine {ServerLearningRateCosine} is outside 0..1000000"
        : ServerLearningRateCosine > 0 && ServerLearningRateDecay > 0 ? "--server-lr-cosine and --server-lr-decay are two schedules; give one"
        : ServerMomentum is < 0 or >= 1 || ServerBeta2 is < 0 or >= 1 ? "--server-momentum and β₂ must be in [0, 1)"
        : !(ServerEpsilon > 0) || !double.IsFinite(ServerEpsilon) ? $"--server-tau {ServerEpsilon} must be positive"
        : !(ClipNorm > 0) || !double.IsFinite(ClipNorm) ? $"--clip {ClipNorm} must be positive"
        : MaxSampleWeight is < 1 or > 1L << 40 ? $"the largest sample weight {MaxSampleWeight} is outside 1..2^40"
        : null;
}
