namespace EdgeRuntime.Core.Models;

/// <summary>What a model version offers the code that feeds it: its inputs, outputs and metadata, read from the session that will serve it.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">The version.</param>
/// <param name="Inputs">Input name → dimensions (-1 for free ones), in the model's order.</param>
/// <param name="Outputs">Output name → dimensions (-1 for free ones), in the model's order.</param>
/// <param name="Metadata">The model's metadata_props.</param>
public sealed record ModelInterface(
    string Name,
    long Version,
    IReadOnlyDictionary<string, int[]> Inputs,
    IReadOnlyDictionary<string, int[]> Outputs,
    IReadOnlyDictionary<string, string> Metadata);
