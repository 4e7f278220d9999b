using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Runtime;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// Runs the configured pipelines. A pipeline whose model the store does not hold, and which names a built-in
/// model, gets that model built and served as version 0 (a delivered version replaces it). Logs each pipeline's
/// live line every <see cref="StorageOptions.LiveLineSeconds"/>. At stop, sources and batchers stop and the result
/// store is flushed before the broker connection closes.
/// </summary>
internal sealed partial class PipelineService(
    IOptions<PipelineSetOptions> pipelines,
    IOptions<StorageOptions> storage,
    IOptions<EdgeRuntimeOptions> runtime,
    Func<PipelineRuntime> createRuntime,
    ModelStore store,
    IModelActivator activator,
    ModelStatusBoard models,
    TimeProvider timeProvider,
    ILogger<PipelineService> logger) : BackgroundService
{
    private PipelineRuntime? _runtime;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var enabled = pipelines.Value.Pipelines.Where(p => p.Enabled).ToList();
        if (enabled.Count == 0)
        {
            return;
        }

        try
        {
            _runtime = createRuntime();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new StartupException($"pipelines: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }

        _runtime.Start();
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var pipeline in pipelines.Value.Pipelines.Where(p => p.Enabled && p.Model.BuiltIn.Length > 0).DistinctBy(p => p.Model.Name))
        {
            await ServeBuiltInAsync(pipeline.Model, stoppingToken);
        }

        var every = storage.Value.LiveLineSeconds;
        if (every <= 0 || _runtime is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(every), timeProvider);
        string? storeProblem = null;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var line in _runtime.LiveLines())
            {
                LogLive(logger, line);
            }

            // A full disk or a broken database stops storing, not serving; say so once per new reason.
            if (_runtime.StoreProblem is { } problem && problem != storeProblem)
            {
                LogStoreProblem(logger, problem);
            }

            storeProblem = _runtime.StoreProblem;
        }
    }

    private async Task ServeBuiltInAsync(PipelineModelOptions model, CancellationToken cancellationToken)
    {
        if (store.Models().Contains(model.Name) || activator.ServingVersion(model.Name) is not null)
        {
            return;
        }

        try
        {
            // The shipped file is copied into the state directory, so the version has a folder of its own for its plan
            // and the learner can read what serves, like a delivered version.
            var shipped = Path.Combine(AppContext.BaseDirectory, "configs", "models", $"{model.BuiltIn}.onnx");
            var bytes = await File.ReadAllBytesAsync(shipped, cancellationToken);
            var folder = Path.Combine(runtime.Value.StateDirectory!, "builtin", model.Name, "0");
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, "model.onnx");
            Core.IO.AtomicFile.WriteAllBytes(path, bytes);
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
            await activator.ActivateAsync(new InstalledModel(model.Name, 0, path, sha), new Progress<ModelStepProgress>(), cancellationToken);
            models.Report(new ModelStatus(model.Name, 0, ModelPhase.Serving, $"built-in {model.BuiltIn} (trained on simulated intersections; fine-tuned on the device as it learns)", 0));
            LogBuiltIn(logger, model.Name, model.BuiltIn);
        }
        catch (Exception ex) when (ex is ModelActivationException or IOException or UnauthorizedAccessException)
        {
            models.Report(new ModelStatus(model.Name, 0, ModelPhase.Failed, ex.Message));
            LogBuiltInFailed(logger, model.Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Results are not being stored: {Reason}")]
    private static partial void LogStoreProblem(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogLive(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving built-in {Builtin} as {Model} v0 until a version is delivered")]
    private static partial void LogBuiltIn(ILogger logger, string model, string builtin);

    [LoggerMessage(Level = LogLevel.Error, Message = "The built-in model {Model} could not be served: {Reason}")]
    private static partial void LogBuiltInFailed(ILogger logger, string model, string reason);
}
