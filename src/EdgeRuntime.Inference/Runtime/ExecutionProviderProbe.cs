using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Runtime;

/// <summary>
/// Finds which execution providers this machine's ONNX Runtime can really use, by trying to append each
/// to a session's options (TensorRT, then CUDA, then CPU). A provider the native library lacks, or whose
/// CUDA libraries fail to load, is reported as unavailable with the reason.
/// </summary>
public static class ExecutionProviderProbe
{
    /// <summary>The outcome for one provider.</summary>
    /// <param name="Provider">Which provider.</param>
    /// <param name="Available">Whether a session could use it.</param>
    /// <param name="Reason">Why not, when it cannot.</param>
    public sealed record Result(ExecutionProvider Provider, bool Available, string? Reason);

    /// <summary>Tries every provider, best first.</summary>
    public static IReadOnlyList<Result> Probe()
    {
        var compiledIn = OrtEnv.Instance().GetAvailableProviders();
        return [.. Enum.GetValues<ExecutionProvider>().Select(p => TryProvider(p, compiledIn))];
    }

    /// <summary>The best provider that works here.</summary>
    public static ExecutionProvider Best() => Probe().First(r => r.Available).Provider;

    /// <summary>Adds <paramref name="provider"/> to <paramref name="options"/> (CPU needs nothing).</summary>
    public static void Append(SessionOptions options, ExecutionProvider provider)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (provider)
        {
            case ExecutionProvider.TensorRt:
                options.AppendExecutionProvider_Tensorrt(0);
                options.AppendExecutionProvider_CUDA(0);
                break;
            case ExecutionProvider.Cuda:
                options.AppendExecutionProvider_CUDA(0);
                break;
            case ExecutionProvider.Cpu:
                break;
        }
    }

    private static Result TryProvider(ExecutionProvider provider, string[] compiledIn)
    {
        var name = provider switch
        {
            ExecutionProvider.TensorRt => "TensorrtExecutionProvider",
            ExecutionProvider.Cuda => "CUDAExecutionProvider",
            _ => "CPUExecutionProvider",
        };
        if (!compiledIn.Contains(name, StringComparer.Ordinal))
        {
            return new Result(provider, false, $"this ONNX Runtime build has no {name} (it has {string.Join(", ", compiledIn)})");
        }

        try
        {
            using var options = new SessionOptions();
            Append(options, provider);
            return new Result(provider, true, null);
        }
        catch (OnnxRuntimeException ex)
        {
            return new Result(provider, false, ex.Message.ReplaceLineEndings(" "));
        }
    }
}
