using System.Threading.Channels;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Manifests;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// One model's reconcile loop — the thin, stateful half around the pure <see cref="DeliveryPlanner"/>: it wakes on a
/// new offer, a command, or a retry time; observes the current state; asks the planner; runs the plan through the
/// <see cref="DeliveryStepRunner"/>; reports the outcome; remembers refusals and failures; and plans again until there
/// is nothing to do. A command or a newer offer preempts a running download (which resumes later), so neither waits
/// behind chunks that may never come. Commands come before offers; each is answered with an outcome and a code.
/// </summary>
internal sealed partial class ModelReconciler : IAsyncDisposable
{
    /// <summary>Plans run back to back without a new event before the loop suspects it is going round in circles.</summary>
    private const int MaxPassesWithoutEvent = 25;

    private readonly string _model;
    private readonly AgentServices _services;
    private readonly ReconcilerMemory _memory;
    private readonly Channel<PendingCommand> _commands = Channel.CreateUnbounded<PendingCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Lock _gate = new();
    private readonly List<(long Wake, TaskCompletionSource Done)> _idleWaiters = [];
    private (SignedOffer Offer, ModelManifest? Manifest, byte[] Envelope)? _offer;
    private SignedLatest? _latest;
    private PlanRun? _running;
    private long _wakes;
    private long _settled = -1;
    private Task _loop = Task.CompletedTask;

    public ModelReconciler(string model, AgentServices services, ReconcilerMemory memory)
    {
        _model = model;
        _services = services;
        _memory = memory;
    }

    public string Model => _model;

    /// <summary>Starts the loop; it reconciles once at once (a restore after a start).</summary>
    public void Start(CancellationToken stopping)
    {
        _loop = Task.Run(() => RunAsync(stopping), CancellationToken.None);
        Wake();
    }

    /// <summary>The latest manifest on the model's topic (null: withdrawn); a download of another version for an offer is preempted.</summary>
    public void Offer(SignedOffer? offer, ModelManifest? manifest, byte[]? envelope)
    {
        lock (_gate)
        {
            _offer = offer is null ? null : (offer, manifest, envelope!);
        }

        Preempt(plan => PreemptedByOffer(plan, offer));
        Wake();
    }

    /// <summary>The fleet's latest statement for the model (null: withdrawn); the latest offer is followed only while a fresh one names it.</summary>
    public void Latest(SignedLatest? latest)
    {
        lock (_gate)
        {
            _latest = latest;
        }

        Wake();
    }

    /// <summary>Queues a command; a running download is preempted so the command does not wait behind it.</summary>
    public Task<CommandOutcome> SubmitAsync(ModelCommand command)
    {
        var pending = new PendingCommand(command, new TaskCompletionSource<CommandOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        _commands.Writer.TryWrite(pending);
        Preempt(_ => true);
        Wake();
        return pending.Done.Task;
    }

    /// <summary>What the loop is doing now, for a command answered before its work is done: the download's line and whether it is stalled.</summary>
    public (string? Line, bool Stalled) Progress()
    {
        lock (_gate)
        {
            return _running?.Watch is { } watch ? ($"{_model} v{_running.Plan.Version}: {watch.Describe()}", watch.Stalled) : (_running is { } run ? $"{_model}: {run.Plan}" : null, false);
        }
    }

    /// <summary>Completes once every event so far has been reconciled and the loop has nothing left to do.</summary>
    public Task WaitUntilIdleAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var wake = Volatile.Read(ref _wakes);
            if (_settled >= wake)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _idleWaiters.Add((wake, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _commands.Writer.TryComplete();
        _signal.Writer.TryComplete();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        while (_commands.Reader.TryRead(out var pending))
        {
            pending.Done.TrySetCanceled();
        }
    }

    private void Wake()
    {
        Interlocked.Increment(ref _wakes);
        _signal.Writer.TryWrite(true);
    }

    /// <summary>An offer of another version preempts a download made for an offer, a repair or a cleanup (a command's download runs on).</summary>
    private static bool PreemptedByOffer(DeliveryPlan plan, SignedOffer? offer) =>
        plan.Purpose is PlanPurpose.Install or PlanPurpose.Repair or PlanPurpose.Cleanup && plan.Version != offer?.Version;

    private void Preempt(Func<DeliveryPlan, bool> applies)
    {
        PlanRun? run;
        lock (_gate)
        {
            run = _running;
        }

        if (run is not null && applies(run.Plan) && run.RequestPreemption())
        {
            LogPreempted(_services.Logger, _model, run.Plan.ToString());
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        DateTimeOffset? retryAt = null;
        while (!stopping.IsCancellationRequested)
        {
            if (!await WaitForEventAsync(retryAt, stopping))
            {
                return;
            }

            var round = Volatile.Read(ref _wakes);
            retryAt = null;
            for (var passes = 0; !stopping.IsCancellationRequested; passes++)
            {
                _commands.Reader.TryRead(out var pending);
                PassResult result;
                try
                {
                    result = await PassAsync(pending, stopping);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    pending?.Done.TrySetCanceled(stopping);
                    return;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Observing the state failed (the disk went away under us): say so, answer, try again later.
                    LogPassFailed(_services.Logger, _model, ex);
                    var refusal = new Refusal(RefusalCode.InternalError, 0, $"internal error while reconciling {_model}: {ex.Message.ReplaceLineEndings(" ")}", true);
                    pending?.Done.TrySetResult(CommandOutcome.Refused(refusal, _services.Effects.Activator.ServingVersion(_model)));
                    result = PassResult.Wait(_services.Clock.GetUtcNow() + _services.Limits.FirstRetryDelay);
                }

                if (result.Continue && passes < MaxPassesWithoutEvent)
                {
                    continue;
                }

                if (result.Continue)
                {
                    LogGoingRound(_services.Logger, _model, passes);
                    result = PassResult.Wait(_services.Clock.GetUtcNow() + _services.Limits.FirstRetryDelay);
                }

                if (_commands.Reader.TryPeek(out _))
                {
                    continue;
                }

                retryAt = result.RetryAt;
                break;
            }

            Settle(round);
        }
    }

    /// <summary>Waits for an event (offer, command) or the retry time; false when the loop should end.</summary>
    private async Task<bool> WaitForEventAsync(DateTimeOffset? retryAt, CancellationToken stopping)
    {
        using var timer = retryAt is { } at ? new CancellationTokenSource(Max(at - _services.Clock.GetUtcNow(), TimeSpan.FromMilliseconds(1)), _services.Clock) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timer?.Token ?? CancellationToken.None);
        try
        {
            if (!await _signal.Reader.WaitToReadAsync(linked.Token))
            {
                return false;
            }

            _signal.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (timer?.IsCancellationRequested == true && !stopping.IsCancellationRequested)
        {
            // The retry time came.
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }

        return true;
    }

    private void Settle(long round)
    {
        List<TaskCompletionSource> done;
        lock (_gate)
        {
            // What arrived during the round is settled by the next one.
            _settled = Math.Max(_settled, round);
            done = [.. _idleWaiters.Where(w => w.Wake <= round).Select(w => w.Done)];
            _idleWaiters.RemoveAll(w => w.Wake <= round);
        }

        foreach (var waiter in done)
        {
            waiter.TrySetResult();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>What a pass leads to: another pass at once, or waiting for an event (or a retry time).</summary>
    private readonly record struct PassResult(bool Continue, DateTimeOffset? RetryAt)
    {
        public static PassResult Again => new(true, null);

        public static PassResult Idle => new(false, null);

        public static PassResult Wait(DateTimeOffset until) => new(false, until);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: {Plan} is preempted by a newer version or a command; its download resumes later")]
    private static partial void LogPreempted(ILogger logger, string model, string plan);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model}: reconciling failed; trying again later")]
    private static partial void LogPassFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: {Passes} plans ran without settling; waiting before the next")]
    private static partial void LogGoingRound(ILogger logger, string model, int passes);
}
