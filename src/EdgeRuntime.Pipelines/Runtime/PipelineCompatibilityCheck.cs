using EdgeRuntime.Core.Models;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Stages;

namespace EdgeRuntime.Pipelines.Runtime;

/// <summary>
/// Whether a model version fits every enabled pipeline that runs its name, asked before the version is swapped in: each
/// such pipeline's stage is made afresh (the running one keeps its state and keeps serving the current version) and
/// configured with the version's inputs and metadata — the same check a pipeline makes when a new version arrives, done
/// early — and the version must have an output to read. Thread-safe.
/// </summary>
public sealed class PipelineCompatibilityCheck(IReadOnlyList<PipelineOptions> pipelines) : IModelCompatibilityCheck
{
    /// <inheritdoc />
    public string? Check(ModelInterface model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var pipeline in pipelines.Where(p => p.Enabled && p.Model.Name == model.Name))
        {
            if (model.Inputs.Count == 0 || model.Outputs.Count == 0)
            {
                return $"pipeline '{pipeline.Name}' needs a model with inputs and outputs; {model.Name} v{model.Version} has {model.Inputs.Count} inputs and {model.Outputs.Count} outputs";
            }

            var reason = StageFactory.Create(pipeline.Stage).Configure(new ServedModelFacts(model.Name, model.Version, model.Inputs, model.Metadata));
            if (reason is not null)
            {
                return $"pipeline '{pipeline.Name}': {reason}";
            }
        }

        return null;
    }
}
