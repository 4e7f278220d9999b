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

    /// <summary>Builds the ONNX Runtime options; the caller disposes them.</summary>
    public SessionOptions ToSessionOptions()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = OptimizationLevel,
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
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
