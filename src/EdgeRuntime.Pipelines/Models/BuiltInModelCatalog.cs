using System.Security.Cryptography;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Pipelines.Configuration;

namespace EdgeRuntime.Pipelines.Models;

/// <summary>
/// The version 0 of every model an enabled pipeline names with <see cref="PipelineModelOptions.BuiltIn"/>: the file
/// shipped with the daemon (<c>configs/models/{BuiltIn}.onnx</c> next to the binary, docs/learning.md says how it is
/// made), copied to <c>{stateDirectory}/builtin/{name}/0/model.onnx</c> when first needed, so that the version has a
/// folder of its own for its plan and on-device learning reads what serves as it does for a delivered version.
/// Delivery serves it while nothing else serves, keeps it when a delivered version does not fit, and lets a rollback
/// reach it. Thread-safe.
/// </summary>
public sealed class BuiltInModelCatalog : IBuiltInModels
{
    private readonly Dictionary<string, PipelineModelOptions> _models;
    private readonly string _folder;
    private readonly string _shipped;
    private readonly Lock _gate = new();

    /// <summary>Creates the catalogue of <paramref name="pipelines"/>' built-in models, written under <paramref name="stateDirectory"/>.</summary>
    /// <param name="pipelines">The configured pipelines; enabled ones that name a built-in model count.</param>
    /// <param name="stateDirectory">The daemon's state directory.</param>
    /// <param name="shippedFolder">Where the shipped files are; default <c>configs/models</c> next to the binary.</param>
    public BuiltInModelCatalog(IEnumerable<PipelineOptions> pipelines, string stateDirectory, string? shippedFolder = null)
    {
        _models = pipelines.Where(p => p.Enabled && p.Model.BuiltIn.Length > 0)
            .Select(p => p.Model)
            .DistinctBy(m => m.Name)
            .ToDictionary(m => m.Name, StringComparer.Ordinal);
        _folder = Path.Combine(stateDirectory, "builtin");
        _shipped = shippedFolder ?? Path.Combine(AppContext.BaseDirectory, "configs", "models");
        Names = [.. _models.Keys.Order(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Names { get; }

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The shipped file is missing (an incomplete install).</exception>
    public InstalledModel Materialize(string name)
    {
        if (!_models.TryGetValue(name, out var model))
        {
            throw new ArgumentException($"model '{name}' has no built-in version", nameof(name));
        }

        // Read from the shipped file every time: the bytes are what was installed with the daemon, never what the state
        // directory kept (a damaged copy there is rewritten).
        var shipped = Path.Combine(_shipped, $"{model.BuiltIn}.onnx");
        if (!File.Exists(shipped))
        {
            throw new FileNotFoundException($"the shipped built-in model {shipped} is missing (reinstall the daemon)", shipped);
        }

        var bytes = File.ReadAllBytes(shipped);
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
            ? $"built-in {model.BuiltIn} (trained on simulated intersections; fine-tuned on the device as it learns)"
            : $"built-in {name}";
}
