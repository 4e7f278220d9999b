using System.Globalization;
using EdgeRuntime.Core.Learning;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Kernels.Accelerators;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Federated.Device;

/// <summary>
/// The device side of federated learning: each accepted local revision becomes an update — its trainable tensors minus
/// those of the global version it started from, clipped, optionally noised (privacy accounted), compressed with error
/// feedback and signed with the device key — added to the durable outbox, which uploads it and deletes it only on the
/// aggregator's receipt. The update id is <c>{device}.{model}.v{base}.r{revision}</c>: one per revision, so a repeat
/// after a crash is dropped by id rather than counted twice. A revision whose trainable tensors are not the ones the
/// base version lists as the aggregator's (<see cref="TrainableAgreement"/>) is refused with a <c>trainable-mismatch</c>
/// line instead of being sent to certain rejection. The device's residual and privacy state are saved
/// <em>before</em> the update is queued: a crash between the two over-counts ε, never under-counts it.
/// Not thread-safe (the learner calls it from its one learning thread).
/// </summary>
/// <param name="deviceId">This device's id (as enrolled with the aggregator).</param>
/// <param name="key">Its key.</param>
/// <param name="options">Clipping, noise and compression.</param>
/// <param name="globalVersionPath">The file of a delivered global version (model, version), or null when it is gone.</param>
/// <param name="outbox">The durable outbox.</param>
/// <param name="stateDirectory">Where the per-model residual and privacy state live ({state}/federated/{model}.state).</param>
/// <param name="accelerator">Kernels for the delta and its clipping.</param>
/// <param name="noise">The noise source (<see cref="GaussianNoise.Secure"/> on a device).</param>
/// <param name="logger">Log.</param>
public sealed partial class RevisionUpdateSink(
    string deviceId,
    DeviceKey key,
    UpdateOptions options,
    Func<string, long, string?> globalVersionPath,
    IDurableOutbox outbox,
    string stateDirectory,
    KernelAccelerator accelerator,
    GaussianNoise noise,
    ILogger logger) : ILocalRevisionSink
{
    /// <summary>The privacy spent so far on <paramref name="model"/>'s updates: ε at the options' δ (0 without noise).</summary>
    public double Epsilon(string model) => DeviceUpdateState.Load(StatePath(model)).Privacy.Epsilon(options.Delta);

    /// <summary>Updates of <paramref name="model"/> made so far.</summary>
    public long Updates(string model) => DeviceUpdateState.Load(StatePath(model)).Updates;

    /// <inheritdoc />
    public string? Accept(LocalRevision revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        if (globalVersionPath(revision.Model, revision.BaseVersion) is not { } basePath || !File.Exists(basePath))
        {
            return Refuse(revision, $"the file of global version {revision.BaseVersion} is not in the model store");
        }

        BuiltUpdate built;
        try
        {
            var global = GlobalModel.Load(basePath, string.Join(',', revision.Trainable));
            if (TrainableAgreement.Check(revision.Trainable, global.FleetTrainable, revision.Model, revision.BaseVersion) is { } mismatch)
            {
                return Refuse(revision, mismatch);
            }

            var trained = global.ReadParameters(revision.Path);
            var statePath = StatePath(revision.Model);
            var state = DeviceUpdateState.Load(statePath);
            var id = string.Create(CultureInfo.InvariantCulture, $"{deviceId}.{revision.Model}.v{revision.BaseVersion}.r{revision.Revision}");
            var request = new UpdateRequest(id, revision.Model, revision.BaseVersion, deviceId, Math.Max(1, revision.Examples), revision.At, global.Layout, global.InitialParameters, trained);
            built = new UpdateBuilder(accelerator).Build(request, options, state, key, noise);
            built.State.Save(statePath);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return Refuse(revision, ex.Message);
        }

        try
        {
            outbox.Add(new OutboxMessage(built.Header.UpdateId, OutboxChannel.FederatedUpdate, revision.Model, built.Bytes));
        }
        catch (OutboxFullException ex)
        {
            return Refuse(revision, ex.Message);
        }

        LogQueued(logger, built.Header.UpdateId, built.NormBeforeClip, options.ClipNorm, built.Bytes.Length, built.State.Privacy.Epsilon(options.Delta));
        return null;
    }

    private string StatePath(string model) => Path.Combine(stateDirectory, "federated", $"{model}.state");

    private string Refuse(LocalRevision revision, string reason)
    {
        LogRefused(logger, revision.Model, revision.BaseVersion, revision.Revision, reason);
        return reason;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Federated update {UpdateId} queued: norm {Norm:0.####} (clip {Clip}), {Bytes} bytes, ε so far {Epsilon:0.##}")]
    private static partial void LogQueued(ILogger logger, string updateId, double norm, double clip, int bytes, double epsilon);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No federated update of {Model} v{Version} r{Revision}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string model, long version, int revision, string reason);
}
