namespace EdgeRuntime.Pipelines.Results;

/// <summary>One result, ready to publish and store.</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Stream">The stream within it.</param>
/// <param name="Time">The time the result describes (interval start, frame time).</param>
/// <param name="ModelVersion">The version that produced it.</param>
/// <param name="Json">The result document, UTF-8 JSON.</param>
public sealed record PipelineResult(string Pipeline, string Stream, DateTimeOffset Time, long ModelVersion, byte[] Json);

/// <summary>Somewhere results go. Implementations never block the caller for long.</summary>
public interface IResultSink
{
    /// <summary>Takes one result.</summary>
    void Write(PipelineResult result);
}
