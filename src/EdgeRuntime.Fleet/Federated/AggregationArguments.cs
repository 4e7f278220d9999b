using System.CommandLine;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Federated.Aggregation;

namespace EdgeRuntime.Fleet.Federated;

/// <summary>The strategy options <c>edgectl aggregator</c> and <c>edgectl fl simulate</c> share.</summary>
internal sealed class AggregationArguments
{
    public Option<string> Buffer { get; } = new("--buffer") { Description = "FedBuff: updates per version (K)", DefaultValueFactory = _ => "10" };

    public Option<string?> MaxWait { get; } = new("--max-wait") { Description = "FedBuff: also make a version when the oldest buffered update waited this long (e.g. 30s)" };

    public Option<int> Quorum { get; } = new("--quorum") { Description = "FedAvg: updates of the round's version needed at the deadline", DefaultValueFactory = _ => 1 };

    public Option<int> Expected { get; } = new("--expected") { Description = "FedAvg: close a round as soon as this many updates arrived (0: at the deadline)", DefaultValueFactory = _ => 0 };

    public Option<string> Deadline { get; } = new("--deadline") { Description = "FedAvg: a round's deadline (e.g. 10m)", DefaultValueFactory = _ => "10m" };

    public Option<int?> MaxStaleness { get; } = new("--max-staleness") { Description = "Updates whose base is more versions old expire (default 10 for FedBuff, 0 for FedAvg)" };

    public Option<string> Staleness { get; } = new("--staleness") { Description = "polynomial ((1+τ)^-a), hinge (1 up to b, then 1/(a(τ-b)+1)) or constant", DefaultValueFactory = _ => "polynomial" };

    public Option<double> StalenessExponent { get; } = new("--staleness-exponent") { Description = "a of the staleness weight", DefaultValueFactory = _ => 0.5 };

    public Option<int> HingeOffset { get; } = new("--hinge-offset") { Description = "b of the hinge staleness weight", DefaultValueFactory = _ => 4 };

    public Option<string> Combine { get; } = new("--combine") { Description = "mean, trimmed-mean or median", DefaultValueFactory = _ => "mean" };

    public Option<double> Trim { get; } = new("--trim") { Description = "β of the trimmed mean (share dropped at each end)", DefaultValueFactory = _ => 0.2 };

    public Option<string> ServerOptimizer { get; } = new("--server-optimizer") { Description = "sgd, fedavgm or fedadam", DefaultValueFactory = _ => "sgd" };

    public Option<double?> ServerLearningRate { get; } = new("--server-lr") { Description = "Server learning rate η (default 1; 0.01 for fedadam)" };

    public Option<double> ServerLearningRateDecay { get; } = new("--server-lr-decay") { Description = "D of the server step's decay η/√(1+t/D) over the versions made t; 0 keeps η constant", DefaultValueFactory = _ => 0 };

    public Option<int> ServerLearningRateCosine { get; } = new("--server-lr-cosine") { Description = "N: the server step follows a cosine from η to 0 over N versions (a campaign of known length, as central training over its epochs); 0 keeps η constant", DefaultValueFactory = _ => 0 };

    public Option<double> ServerTau { get; } = new("--server-tau") { Description = "τ of FedAdam: the step is η·m/(√v + τ); a larger τ makes it less sign-like", DefaultValueFactory = _ => 1e-3 };

    public Option<double> ServerMomentum { get; } = new("--server-momentum") { Description = "β of FedAvgM, β1 of FedAdam", DefaultValueFactory = _ => 0.9 };

    public Option<double> Clip { get; } = new("--clip") { Description = "L2 bound every update is clipped to again", DefaultValueFactory = _ => 1.0 };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Buffer, MaxWait, Quorum, Expected, Deadline, MaxStaleness, Staleness, StalenessExponent, HingeOffset, Combine, Trim, ServerOptimizer, ServerLearningRate, ServerLearningRateDecay, ServerLearningRateCosine, ServerTau, ServerMomentum, Clip })
        {
            command.Add(option);
        }
    }

    /// <summary>The options for <paramref name="mode"/>; null and a one-line problem when a value is not allowed.</summary>
    public AggregationOptions? Read(ParseResult parseResult, AggregationMode mode, out string? problem)
    {
        problem = null;
        if (!int.TryParse(parseResult.GetValue(Buffer), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var buffer))
        {
            problem = $"--buffer '{parseResult.GetValue(Buffer)}' is not a whole number";
            return null;
        }

        TimeSpan? maxWait = null;
        if (parseResult.GetValue(MaxWait) is { } waitText)
        {
            maxWait = ArgumentParsers.Duration(waitText, out problem);
            if (maxWait is null)
            {
                problem = $"--max-wait: {problem}";
                return null;
            }
        }

        var deadline = ArgumentParsers.Duration(parseResult.GetValue(Deadline)!, out var deadlineProblem);
        if (deadline is null)
        {
            problem = $"--deadline: {deadlineProblem}";
            return null;
        }

        var staleness = Parse<StalenessFunction>(parseResult.GetValue(Staleness)!, "--staleness", [("polynomial", StalenessFunction.Polynomial), ("hinge", StalenessFunction.Hinge), ("constant", StalenessFunction.Constant)], ref problem);
        var combine = Parse<CombineRule>(parseResult.GetValue(Combine)!.Split(',')[0], "--combine", [("mean", CombineRule.Mean), ("trimmed-mean", CombineRule.TrimmedMean), ("median", CombineRule.Median)], ref problem);
        var server = Parse<ServerOptimizerKind>(parseResult.GetValue(ServerOptimizer)!, "--server-optimizer", [("sgd", ServerOptimizerKind.Sgd), ("fedavgm", ServerOptimizerKind.FedAvgM), ("fedadam", ServerOptimizerKind.FedAdam)], ref problem);
        if (problem is not null)
        {
            return null;
        }

        var options = new AggregationOptions
        {
            Mode = mode,
            BufferSize = buffer,
            MaxWait = maxWait,
            Quorum = parseResult.GetValue(Quorum),
            ExpectedParticipants = parseResult.GetValue(Expected),
            RoundDeadline = deadline.Value,
            MaxStaleness = parseResult.GetValue(MaxStaleness) ?? (mode == AggregationMode.FedAvg ? 0 : 10),
            Staleness = staleness,
            StalenessExponent = parseResult.GetValue(StalenessExponent),
            HingeOffset = parseResult.GetValue(HingeOffset),
            Combine = combine,
            TrimFraction = parseResult.GetValue(Trim),
            ServerOptimizer = server,
            ServerLearningRate = parseResult.GetValue(ServerLearningRate) ?? (server == ServerOptimizerKind.FedAdam ? 0.01 : 1.0),
            ServerLearningRateDecay = parseResult.GetValue(ServerLearningRateDecay),
            ServerLearningRateCosine = parseResult.GetValue(ServerLearningRateCosine),
            ServerEpsilon = parseResult.GetValue(ServerTau),
            ServerMomentum = parseResult.GetValue(ServerMomentum),
            ClipNorm = parseResult.GetValue(Clip),
        };
        problem = options.Check();
        return problem is null ? options : null;
    }

    /// <summary>Every rule a comma-separated <c>--combine</c> names (the simulation runs each).</summary>
    public IReadOnlyList<CombineRule>? CombineRules(ParseResult parseResult, out string? problem)
    {
        problem = null;
        var rules = new List<CombineRule>();
        foreach (var name in parseResult.GetValue(Combine)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            rules.Add(Parse<CombineRule>(name, "--combine", [("mean", CombineRule.Mean), ("trimmed-mean", CombineRule.TrimmedMean), ("median", CombineRule.Median)], ref problem));
        }

        return problem is null && rules.Count > 0 ? rules : null;
    }

    /// <summary>fedavg or fedbuff.</summary>
    public static AggregationMode? Mode(string text, out string? problem)
    {
        problem = null;
        switch (text)
        {
            case "fedavg":
                return AggregationMode.FedAvg;
            case "fedbuff":
                return AggregationMode.FedBuff;
            default:
                problem = $"--strategy '{text}' is not known; use fedavg or fedbuff";
                return null;
        }
    }

    private static T Parse<T>(string text, string option, (string Name, T Value)[] allowed, ref string? problem)
        where T : struct
    {
        foreach (var (name, value) in allowed)
        {
            if (name == text)
            {
                return value;
            }
        }

        problem ??= $"{option} '{text}' is not known; use {string.Join(", ", allowed.Select(a => a.Name))}";
        return default;
    }
}
