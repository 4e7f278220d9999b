namespace EdgeRuntime.Graph.Cost;

/// <summary>What one node costs to run.</summary>
/// <param name="Flops">Floating-point (or integer) operations; a multiply-add counts as 2.</param>
/// <param name="BytesRead">Bytes of its inputs.</param>
/// <param name="BytesWritten">Bytes of its outputs (0 for views such as Reshape).</param>
/// <param name="ParameterBytes">Bytes of its constant inputs (weights).</param>
/// <param name="Known">False when a shape it depends on is unknown; the figures then undercount.</param>
public sealed record NodeCost(double Flops, long BytesRead, long BytesWritten, long ParameterBytes, bool Known)
{
    /// <summary>A node that costs nothing.</summary>
    public static NodeCost Free { get; } = new(0, 0, 0, 0, true);
}

/// <summary>Totals over a model: the objective the optimiser reports before and after.</summary>
public sealed record GraphCost(int Nodes, int Initializers, double Flops, long BytesRead, long BytesWritten, long ParameterBytes, int NodesWithUnknownCost)
{
    /// <summary>Total bytes moved (read + written).</summary>
    public long BytesMoved => BytesRead + BytesWritten;
}
