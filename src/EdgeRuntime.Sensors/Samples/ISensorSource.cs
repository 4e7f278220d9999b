namespace EdgeRuntime.Sensors.Samples;

/// <summary>
/// A producer of samples (loop detectors, a recording, an image folder). It runs until cancelled or, for finite
/// sources, until its input is exhausted, handing every sample to the sink.
/// </summary>
public interface ISensorSource
{
    /// <summary>Names the source in status and errors.</summary>
    string Name { get; }

    /// <summary>Produces samples into <paramref name="sink"/> until cancelled or exhausted.</summary>
    Task RunAsync(ISampleSink sink, CancellationToken cancellationToken);
}

/// <summary>Where a source hands its samples. Implementations never block the source for long.</summary>
public interface ISampleSink
{
    /// <summary>Takes a sample; returns false when it was refused (overload), which the sink has counted.</summary>
    bool Offer(SensorSample sample);
}
