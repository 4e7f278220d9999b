namespace EdgeRuntime.Federated.Aggregation;

/// <summary>Who an aggregator is and where it keeps its state.</summary>
/// <param name="Model">The model it aggregates.</param>
/// <param name="AggregatorId">Its id (one topic level), unique among the model's aggregators.</param>
/// <param name="Role">Lead or member.</param>
/// <param name="StateDirectory">Where its database and version files live.</param>
/// <param name="Options">The strategy.</param>
/// <param name="InitialVersion">The lead's first version number (default: the template's model_version, at least 1).</param>
/// <param name="ForwardEvery">A member sends a partial once this many updates are folded (default: half the buffer size).</param>
/// <param name="ForwardAfter">…or once the oldest unsent update waited this long (default 1 s).</param>
public sealed record AggregatorSettings(
    string Model,
    string AggregatorId,
    AggregatorRole Role,
    string StateDirectory,
    AggregationOptions Options,
    long? InitialVersion = null,
    int? ForwardEvery = null,
    TimeSpan? ForwardAfter = null)
{
    /// <summary>The database file.</summary>
    public string DatabasePath => Path.Combine(StateDirectory, "aggregator.db");

    /// <summary>Where version <paramref name="version"/>'s file goes.</summary>
    public string VersionPath(long version) => Path.Combine(StateDirectory, "versions", $"{Model}-v{version}.onnx");

    /// <summary>The member's partial size.</summary>
    public int EffectiveForwardEvery => ForwardEvery ?? Math.Max(1, Options.BufferSize / 2);

    /// <summary>The member's partial age.</summary>
    public TimeSpan EffectiveForwardAfter => ForwardAfter ?? TimeSpan.FromSeconds(1);
}
