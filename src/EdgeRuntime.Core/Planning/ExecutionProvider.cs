using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Planning;

/// <summary>Where ONNX Runtime executes a model, best first (the order the device probe tries them in).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExecutionProvider>))]
public enum ExecutionProvider
{
    /// <summary>NVIDIA TensorRT (Jetson, NVIDIA GPUs), with CUDA for what TensorRT does not take.</summary>
    TensorRt,

    /// <summary>NVIDIA CUDA.</summary>
    Cuda,

    /// <summary>The CPU; always present.</summary>
    Cpu,
}
