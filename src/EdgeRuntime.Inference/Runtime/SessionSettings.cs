using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Runtime;

/// <summary>How a session is created: ONNX Runtime's own graph optimisation level, threads, passes to skip.</summary>
public sealed record SessionSettings
{
    /// <summary>ONNX Runtime's graph optimisation level. Default: all.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Intra-op threads; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>ONNX Runtime optimisers to turn off (session config optimization.disable_specified_optimizers).</summary>
    public IReadOnlyList<string> DisabledOptimizers { get; init; } = [];

    /// <summary>The execution provider to use.</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>Whether intra-op threads spin while waiting for work (session config session.intra_op.allow_spinning). Default: yes, as ONNX Runtime.</summary>
    public bool Spinning { get; init; } = true;

    /// <summary>Whether independent nodes run concurrently (ONNX Runtime's parallel execution mode). Default: sequential.</summary>
    public bool ParallelExecution { get; init; }

    /// <summary>
    /// The session settings of a plan: the one place a <see cref="PlanSettings"/> becomes ONNX Runtime options, so the
    /// verifier, the latency probe and the serving session all run what the plan says.
    /// </summary>
    public static SessionSettings For(PlanSettings plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new SessionSettings
        {
            Provider = plan.Provider,
            OptimizationLevel = plan.RuntimeLevel switch
            {
                RuntimeGraphLevel.Disabled => GraphOptimizationLevel.ORT_DISABLE_ALL,
                RuntimeGraphLevel.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                RuntimeGraphLevel.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
            IntraOpThreads = plan.IntraOpThreads,
            Spinning = plan.Spinning,
            ParallelExecution = plan.ParallelExecution,
        };
    }

    /// <summary>Builds the ONNX Runtime options; the caller disposes them.</summary>
    public SessionOptions ToSessionOptions()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = OptimizationLevel,
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = 1,

            // Every failure ONNX Runtime reports also throws, and EdgeRuntime says it in one line with the model's
            // name; its own log would add coloured lines on stderr for the same error (optimize's "one line" promise).
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        try
        {
            if (!Spinning)
            {
                options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            }

            if (ParallelExecution)
            {
                options.ExecutionMode = ExecutionMode.ORT_PARALLEL;
            }

            if (DisabledOptimizers.Count > 0)
            {
                options.AddSessionConfigEntry("optimization.disable_specified_optimizers", string.Join(",", DisabledOptimizers));
            }

            ExecutionProviderProbe.Append(options, Provider);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }
}
