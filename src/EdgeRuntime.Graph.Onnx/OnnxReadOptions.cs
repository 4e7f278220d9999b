namespace EdgeRuntime.Graph.Onnx;

/// <summary>Limits that keep a hostile or broken file from exhausting memory or the stack.</summary>
public sealed record OnnxReadOptions
{
    /// <summary>Largest model file accepted, in bytes. Default: the protobuf limit of 2 GiB.</summary>
    public long MaxFileBytes { get; init; } = int.MaxValue;

    /// <summary>Largest single tensor, in bytes, inline or external. Default 4 GiB.</summary>
    public long MaxTensorBytes { get; init; } = 4L << 30;

    /// <summary>Most tensor bytes in one model, inline and external together. Default 16 GiB.</summary>
    public long MaxTotalTensorBytes { get; init; } = 16L << 30;

    /// <summary>Deepest nesting of subgraphs (If inside Loop inside …). Default 16.</summary>
    public int MaxGraphDepth { get; init; } = 16;

    /// <summary>Whether tensors may live in external data files (always confined to the model's folder).</summary>
    public bool AllowExternalData { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static OnnxReadOptions Default { get; } = new();
}
