using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Delivery.Agent.Steps;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// Runs a plan's steps in order. When a step fails, it and every step done before it are undone in reverse order and
/// the refusal is the outcome; when the plan is cancelled (preempted by a newer offer or a command, or the daemon
/// stopping), the same happens with no refusal, which tells the undo to keep reusable work (a partial download, an
/// installed version). Expected failures are <see cref="DeliveryStepException"/>s; a full disk anywhere becomes
/// <c>disk-full</c>; anything else is an <c>internal-error</c> of that version, logged with its stack, never a dead lane.
/// </summary>
internal sealed partial class DeliveryStepRunner
{
    private readonly Dictionary<StepKind, IDeliveryStep> _steps;
    private readonly ILogger _logger;

    public DeliveryStepRunner(IEnumerable<IDeliveryStep> steps, ILogger logger)
    {
        _steps = steps.ToDictionary(s => s.Kind);
        _logger = logger;
        var missing = Enum.GetValues<StepKind>().Where(k => !_steps.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"no effect for step kinds {string.Join(", ", missing)}", nameof(steps));
        }
    }

    public async Task<PlanOutcome> RunAsync(PlanRun run, CancellationToken cancellationToken)
    {
        var done = new List<DeliveryStep>();
        foreach (var step in run.Plan.Steps)
        {
            done.Add(step);
            Refusal? failure;
            try
            {
                await _steps[step.Kind].RunAsync(run, step, cancellationToken);
                continue;
            }
            catch (DeliveryStepException ex)
            {
                failure = ex.Refusal;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Undo(run, done, cause: null);
                return PlanOutcome.Preempted;
            }
            catch (IOException ex) when (DiskErrors.IsOutOfSpace(ex))
            {
                failure = new Refusal(RefusalCode.DiskFull, step.Version, $"{run.Model} v{step.Version}: no space left on the device in {step.Kind} ({ex.Message.ReplaceLineEndings(" ")}); retried when space returns", Retryable: true);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogStepError(_logger, run.Model, step.Version, step.Kind.ToString(), ex);
                failure = new Refusal(RefusalCode.InternalError, step.Version, $"internal error in {step.Kind.ToString().ToLowerInvariant()} of {run.Model} v{step.Version}: {ex.Message.ReplaceLineEndings(" ")}", Retryable: true);
            }

            Undo(run, done, failure);
            return PlanOutcome.Failed(failure);
        }

        return PlanOutcome.Done;
    }

    private void Undo(PlanRun run, List<DeliveryStep> done, Refusal? cause)
    {
        for (var i = done.Count - 1; i >= 0; i--)
        {
            try
            {
                _steps[done[i].Kind].Undo(run, done[i], cause);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Undo is best effort; what it could not remove is found and discarded by a later pass.
                LogUndoFailed(_logger, run.Model, done[i].Version, done[i].Kind.ToString(), ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} v{Version}: unexpected error in step {Step}")]
    private static partial void LogStepError(ILogger logger, string model, long version, string step, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} v{Version}: undoing step {Step} failed: {Reason}")]
    private static partial void LogUndoFailed(ILogger logger, string model, long version, string step, string reason);
}
