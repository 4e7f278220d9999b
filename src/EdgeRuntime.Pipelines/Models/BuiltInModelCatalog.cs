using System.Security.Cryptography;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Pipelines.Configuration;

namespace EdgeRuntime.Pipelines.Models;

/// <summary>
/// The version 0 of every model an enabled pipeline names with <see cref="PipelineModelOptions.BuiltIn"/>, built in code
/// and written to <c>{stateDirectory}/builtin/{name}/0/model.onnx</c> when first needed. Delivery serves it while
/// nothing else serves, keeps it when a delivered version does not fit, and lets a rollback reach it. Thread-safe.
/// </summary>
public sealed class BuiltInModelCatalog : IBuiltInModels
{
    private readonly Dictionary<string, PipelineModelOptions> _models;
    private readonly string _folder;
    private readonly Lock _gate = new();

    /// <summary>Creates the catalogue of <paramref name="pipelines"/>' built-in models, written under <paramref name="stateDirectory"/>.</summary>
    public BuiltInModelCatalog(IEnumerable<PipelineOptions> pipelines, string stateDirectory)
    {
        _models = pipelines.Where(p => p.Enabled && p.Model.BuiltIn.Length > 0)
            .Select(p => p.Model)
            .DistinctBy(m => m.Name)
            .ToDictionary(m => m.Name, StringComparer.Ordinal);
        _folder = Path.Combine(stateDirectory, "builtin");
        Names = [.. _models.Keys.Order(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Names { get; }

    /// <inheritdoc />
    public InstalledModel Materialize(string name)
    {
        if (!_models.TryGetValue(name, out var model))
        {
            throw new ArgumentException($"model '{name}' has no built-in version", nameof(name));
        }

        // Rebuilt every time (microseconds): the bytes are what the code makes, never what a disk kept.
        var bytes = ForecastModelBuilder.Build(ForecastModelBuilder.LaneSpec(model.BuiltInWindow));
        var folder = Path.Combine(_folder, name, "0");
        var path = Path.Combine(folder, "model.onnx");
        lock (_gate)
        {
            Directory.CreateDirectory(folder);
            if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            {
                AtomicFile.WriteAllBytes(path, bytes);
            }
        }

        return new InstalledModel(name, 0, path, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <inheritdoc />
    public string Describe(string name) =>
        _models.TryGetValue(name, out var model)
            ? $"built-in {model.BuiltIn} (untrained: a moving average until the fleet delivers a trained version)"
            : $"built-in {name}";
}
