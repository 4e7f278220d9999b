namespace EdgeRuntime.Core.Learning;

/// <summary>On-device learning of one model, as the device status shows it.</summary>
/// <param name="Model">The model name.</param>
/// <param name="State">What learning does now: a code such as "collecting-examples", "training", "cpu-budget-spent", "not-trainable".</param>
/// <param name="Detail">One line on it ("1830 of 2000 new examples", "epoch 2/4, paused: inference queued").</param>
/// <param name="BaseVersion">The version the local revision was trained from (the serving version's number).</param>
/// <param name="LocalRevision">Local revisions accepted on top of <paramref name="BaseVersion"/> (0 = as delivered).</param>
/// <param name="Examples">Labelled examples kept on the device for this model.</param>
/// <param name="CpuSecondsLastHour">Training CPU time within the last hour.</param>
/// <param name="LastRound">The last finished round, or null.</param>
public sealed record LearningStatus(
    string Model,
    string State,
    string? Detail,
    long? BaseVersion,
    int LocalRevision,
    long Examples,
    double CpuSecondsLastHour,
    LearningRound? LastRound);

/// <summary>One training round on the device.</summary>
/// <param name="FinishedAt">When it ended (UTC).</param>
/// <param name="TrainedOn">Examples trained on.</param>
/// <param name="HeldOut">Newest examples held out for the decision.</param>
/// <param name="ServingMae">The serving version's MAE on the held-out examples, in the target's unit.</param>
/// <param name="CandidateMae">The tuned version's MAE on the same examples.</param>
/// <param name="Accepted">Whether the tuned version now serves.</param>
/// <param name="Outcome">One line: "accepted as local revision 3", "kept v2: 0.4% better, 1% needed", or the failure.</param>
public sealed record LearningRound(
    DateTimeOffset FinishedAt,
    int TrainedOn,
    int HeldOut,
    double ServingMae,
    double CandidateMae,
    bool Accepted,
    string Outcome);

/// <summary>The learning status of every model, for the status document. Thread-safe.</summary>
public sealed class LearningStatusBoard
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, LearningStatus> _models = new(StringComparer.Ordinal);

    /// <summary>Raised after a model's learning state changed. Handlers must not block.</summary>
    public event Action? Changed;

    /// <summary>Replaces a model's status.</summary>
    public void Report(LearningStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var previous = _models.GetValueOrDefault(status.Model);
        _models[status.Model] = status;
        if (previous is null || previous.State != status.State || previous.LocalRevision != status.LocalRevision || previous.LastRound != status.LastRound)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>Every model's learning status, by name.</summary>
    public IReadOnlyList<LearningStatus> Snapshot() => [.. _models.Values.OrderBy(s => s.Model, StringComparer.Ordinal)];
}
