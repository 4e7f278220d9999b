namespace EdgeRuntime.Pipelines.Configuration;

/// <summary>The device's pipelines (configuration array <c>Pipelines</c>).</summary>
public sealed class PipelineSetOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Pipelines";

    /// <summary>The pipelines; none by default (the shipped configs/edge-runtime.json adds the traffic one).</summary>
    public List<PipelineOptions> Pipelines { get; set; } = [];

    /// <summary>Built-in models a pipeline may name in <see cref="PipelineModelOptions.BuiltIn"/>.</summary>
    public static readonly IReadOnlyList<string> BuiltInModels = ["traffic-forecast"];
}
