using System.Text.Json;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Stages;

/// <summary>
/// The model-specific part of a pipeline: how a sample becomes the model's input, and how the outputs become a
/// result. <see cref="Configure"/> is called for every new model version before its first sample.
/// </summary>
public interface IPipelineStage
{
    /// <summary>Reads what the stage needs from the served version; returns a one-line reason when it cannot use it.</summary>
    string? Configure(ServedModelFacts model);

    /// <summary>The input for <paramref name="sample"/>, or null when the sample carries nothing for this stage.</summary>
    PreparedInput? Prepare(SensorSample sample);

    /// <summary>Writes the stage-specific fields of the result document (inside its object) and returns its gist for the live line.</summary>
    ResultGist Finish(SensorSample sample, PreparedInput input, InferenceReply reply, Utf8JsonWriter result);
}

/// <summary>A sample turned into one model input.</summary>
/// <param name="Input">The model input name.</param>
/// <param name="Data">Values, row-major.</param>
/// <param name="Shape">Shape without the batch dimension.</param>
/// <param name="Context">Whatever the stage needs again in <see cref="IPipelineStage.Finish"/>.</param>
public sealed record PreparedInput(string Input, float[] Data, long[] Shape, object? Context = null);

/// <summary>What a stage may learn about the serving version.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Version">Version.</param>
/// <param name="Inputs">Input name → dimensions (-1 for free ones).</param>
/// <param name="Metadata">The model's metadata_props.</param>
public sealed record ServedModelFacts(string Name, long Version, IReadOnlyDictionary<string, int[]> Inputs, IReadOnlyDictionary<string, string> Metadata);

/// <summary>What the live log line shows of a result; formatted only when a line is printed.</summary>
/// <param name="Describe">A few words: "12/min → 10.5/min free", "3 objects, 7 crossed".</param>
public readonly record struct ResultGist(Func<string> Describe);
