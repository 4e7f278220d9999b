namespace EdgeRuntime.Core.Models;

/// <summary>
/// Says whether a model version fits the consumers of its name (the pipelines' stages) before it is swapped in, so a
/// version that would stop a pipeline is refused instead and the previous one keeps serving. Implemented by the
/// pipelines, called by the activator. Thread-safe; must not change any running stage.
/// </summary>
public interface IModelCompatibilityCheck
{
    /// <summary>Why <paramref name="model"/> cannot serve a consumer of its name, in one line; null when it fits (or nothing consumes it).</summary>
    string? Check(ModelInterface model);
}
