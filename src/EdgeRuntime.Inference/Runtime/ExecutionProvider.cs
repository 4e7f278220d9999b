namespace EdgeRuntime.Inference.Runtime;

/// <summary>Where ONNX Runtime executes a model, best first.</summary>
public enum ExecutionProvider
{
    /// <summary>NVIDIA TensorRT (Jetson, NVIDIA GPUs).</summary>
    TensorRt,

    /// <summary>NVIDIA CUDA.</summary>
    Cuda,

    /// <summary>The CPU; always present.</summary>
    Cpu,
}
