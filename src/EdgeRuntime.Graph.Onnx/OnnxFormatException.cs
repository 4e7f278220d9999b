namespace EdgeRuntime.Graph.Onnx;

/// <summary>
/// An ONNX file cannot be read (truncated, corrupt, hostile, or outside the limits). The message is one
/// line that names the file and the offending part.
/// </summary>
public sealed class OnnxFormatException(string message, Exception? inner = null) : Exception(message, inner);
