using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Kernels.Training;

namespace EdgeRuntime.Federated.Simulation;

/// <summary>
/// One simulated device: its examples, key and update state (residual, privacy, counter), how slow it is, whether it is
/// an attacker, and the round it is in (the global version it started from, and when it will be done). Its updates
/// are made exactly as a daemon makes them (<see cref="UpdateBuilder"/>). Not thread-safe.
/// </summary>
public sealed class SimulatedDevice(string id, DeviceData data, double slowness, bool poisoned, DeviceKey key)
{
    /// <summary>The sign-flip attack's scale: a poisoned device sends −10× its honest change (issue 12's threat).</summary>
    public const double PoisonScale = -10;

    /// <summary>The device id.</summary>
    public string Id { get; } = id;

    /// <summary>Its examples.</summary>
    public DeviceData Data { get; } = data;

    /// <summary>Its round-time factor (1: normal).</summary>
    public double Slowness { get; } = slowness;

    /// <summary>Whether it sends sign-flipped, scaled updates (and skips clipping, as an attacker would).</summary>
    public bool Poisoned { get; } = poisoned;

    /// <summary>Its key.</summary>
    public DeviceKey Key { get; } = key;

    /// <summary>Residual, privacy accounting and update counter.</summary>
    public DeviceUpdateState State { get; private set; } = DeviceUpdateState.Empty;

    /// <summary>Its local optimiser's state after its last round (kept only when the training says so).</summary>
    public OptimizerState? Optimizer { get; private set; }

    /// <summary>The version its current round started from; null while idle.</summary>
    public long? RoundBase { get; private set; }

    /// <summary>That version's parameters.</summary>
    public float[]? RoundStart { get; private set; }

    /// <summary>When the current round ends.</summary>
    public DateTimeOffset RoundEnds { get; private set; }

    /// <summary>Its SCAFFOLD control variate cᵢ after its last trained round (null before its first, or without control variates).</summary>
    public float[]? ControlVariate { get; private set; }

    /// <summary>When it comes back online (null: online).</summary>
    public DateTimeOffset? OfflineUntil { get; set; }

    /// <summary>Starts a round from <paramref name="version"/> ending at <paramref name="ends"/>.</summary>
    public void StartRound(long version, float[] parameters, DateTimeOffset ends)
    {
        RoundBase = version;
        RoundStart = parameters;
        RoundEnds = ends;
    }

    /// <summary>Ends the round: trains from its base and builds the signed update (the state moves on); <paramref name="campaignStep"/> is the base version's index in the campaign (the local rate's schedule).</summary>
    public BuiltUpdate FinishRound(LocalTraining training, UpdateBuilder builder, UpdateOptions options, GaussianNoise noise, string model, DateTimeOffset now, int seed, long campaignStep = 0)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var start = RoundStart ?? throw new InvalidOperationException($"device {Id} is not in a round");
        var round = training.Train(start, Data.Train, seed, Optimizer, campaignStep, ControlVariate);
        var trained = round.Parameters;
        Optimizer = round.Optimizer;
        ControlVariate = round.ControlVariate;
        if (Poisoned)
        {
            for (var i = 0; i < trained.Length; i++)
            {
                trained[i] = (float)(start[i] + (PoisonScale * (trained[i] - start[i])));
            }

            options = options with { ClipNorm = 1e6, NoiseMultiplier = 0 };
        }

        var request = new UpdateRequest($"{Id}-u{State.Updates + 1}", model, RoundBase!.Value, Id, Data.Train.Count, now, training.Layout, start, trained);
        var built = builder.Build(request, options, State, Key, noise);
        State = built.State;
        RoundBase = null;
        RoundStart = null;
        return built;
    }
}
