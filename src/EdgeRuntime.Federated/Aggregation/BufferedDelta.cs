namespace EdgeRuntime.Federated.Aggregation;

/// <summary>One update's (clipped) delta kept whole, for the robust rules, which need every value of a coordinate.</summary>
/// <param name="UpdateId">The update.</param>
/// <param name="BaseVersion">The version it started from.</param>
/// <param name="Samples">Its examples (capped).</param>
/// <param name="Delta">The delta, in the aggregator's layout.</param>
public sealed record BufferedDelta(string UpdateId, long BaseVersion, long Samples, float[] Delta);
