using System.Text.RegularExpressions;
using EdgeRuntime.Core.Models;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Pipelines.Configuration;

/// <summary>Checks pipelines, batching and result storage at start: one line per problem, naming the key.</summary>
public sealed partial class PipelineOptionsValidator
    : IValidateOptions<PipelineSetOptions>, IValidateOptions<BatchingOptions>, IValidateOptions<StorageOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PipelineSetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Pipelines.Count; i++)
        {
            var p = options.Pipelines[i];
            var key = $"{PipelineSetOptions.SectionName}:{i}";
            if (!PipelineName().IsMatch(p.Name))
            {
                failures.Add($"{key}:Name: '{p.Name}' is not a pipeline name; allowed: 1-64 letters, digits, '-' or '_'");
            }
            else if (!names.Add(p.Name))
            {
                failures.Add($"{key}:Name: '{p.Name}' is used by another pipeline");
            }

            if (!ModelName.IsValid(p.Model.Name))
            {
                failures.Add($"{key}:Model:Name: '{p.Model.Name}' is not a model name");
            }

            if (p.Model.BuiltIn.Length > 0 && !PipelineSetOptions.BuiltInModels.Contains(p.Model.BuiltIn))
            {
                failures.Add($"{key}:Model:BuiltIn: '{p.Model.BuiltIn}' is unknown; allowed: {string.Join(", ", PipelineSetOptions.BuiltInModels)} or empty");
            }

            if (p.Sources.Count == 0)
            {
                failures.Add($"{key}:Sources: a pipeline needs at least one source");
            }

            for (var s = 0; s < p.Sources.Count; s++)
            {
                CheckSource(p.Sources[s], $"{key}:Sources:{s}", p.Stage.Type, failures);
            }

            if (p.Results.Qos is not (0 or 1))
            {
                failures.Add($"{key}:Results:Qos: {p.Results.Qos} is not allowed; allowed: 0 or 1");
            }

            if (p.Results.Durable && p.Results.Qos != 1)
            {
                failures.Add($"{key}:Results:Durable: true needs {key}:Results:Qos 1 (the outbox keeps a result until the broker acknowledges it); Qos is {p.Results.Qos}");
            }

            if (p.Results.MaxPerSecond < 0 || !double.IsFinite(p.Results.MaxPerSecond))
            {
                failures.Add($"{key}:Results:MaxPerSecond: {p.Results.MaxPerSecond} is out of range; allowed: 0 (no limit) or more");
            }

            if (p.Stage.CountingLine.Count is not (0 or 4) || p.Stage.CountingLine.Any(v => v is < 0 or > 1))
            {
                failures.Add($"{key}:Stage:CountingLine: needs four frame fractions 0..1 (x1, y1, x2, y2) or none");
            }

            if (p.Stage.ScoreThreshold is < 0 or > 1)
            {
                failures.Add($"{key}:Stage:ScoreThreshold: {p.Stage.ScoreThreshold} is out of range; allowed: 0 to 1");
            }

            if (p.Stage.PixelScale <= 0)
            {
                failures.Add($"{key}:Stage:PixelScale: {p.Stage.PixelScale} must be positive");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BatchingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxBatch is < 1 or > 1024)
        {
            failures.Add($"{BatchingOptions.SectionName}:MaxBatch: {options.MaxBatch} is out of range; allowed: 1 to 1024");
        }

        if (options.MaxDelayMs is < 0 or > 1000 || !double.IsFinite(options.MaxDelayMs))
        {
            failures.Add($"{BatchingOptions.SectionName}:MaxDelayMs: {options.MaxDelayMs} is out of range; allowed: 0 to 1000");
        }

        if (options.QueueCapacity is < 1 or > 1_000_000)
        {
            failures.Add($"{BatchingOptions.SectionName}:QueueCapacity: {options.QueueCapacity} is out of range; allowed: 1 to 1000000");
        }

        if (!Enum.IsDefined(options.Overload))
        {
            failures.Add($"{BatchingOptions.SectionName}:Overload: {options.Overload} is unknown; allowed: DropOldest, Reject");
        }

        if (options.ThreadSliceMicroseconds is not 0 and (< 100 or > 100_000))
        {
            failures.Add($"{BatchingOptions.SectionName}:ThreadSliceMicroseconds: {options.ThreadSliceMicroseconds} is out of range; allowed: 0 (the kernel's default) or 100 to 100000");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!(options.RetentionHours > 0))
        {
            failures.Add($"{StorageOptions.SectionName}:RetentionHours: {options.RetentionHours} must be positive");
        }

        if (options.MaxRows < 1)
        {
            failures.Add($"{StorageOptions.SectionName}:MaxRows: {options.MaxRows} must be at least 1");
        }

        if (string.IsNullOrWhiteSpace(options.Database))
        {
            failures.Add($"{StorageOptions.SectionName}:Database: a file name is required");
        }

        if (options.LiveLineSeconds < 0)
        {
            failures.Add($"{StorageOptions.SectionName}:LiveLineSeconds: {options.LiveLineSeconds} must be 0 (off) or more");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckSource(SourceOptions source, string key, StageKind stage, List<string> failures)
    {
        var framesNeeded = stage != StageKind.Forecast;
        var givesFrames = source.Type == SourceKind.ImageFolder;
        if (framesNeeded != givesFrames)
        {
            failures.Add($"{key}:Type: a {source.Type} source cannot feed a {stage} stage; allowed: {(framesNeeded ? "ImageFolder" : "SimulatedLoops, GpioLoops, Replay")}");
            return;
        }

        switch (source.Type)
        {
            case SourceKind.SimulatedLoops or SourceKind.GpioLoops:
                CheckLoops(source, key, failures);
                break;
            case SourceKind.Replay:
                if (!File.Exists(source.Replay.File))
                {
                    failures.Add($"{key}:Replay:File: '{source.Replay.File}' does not exist");
                }

                if (!(source.Replay.Speed >= 0) || !double.IsFinite(source.Replay.Speed))
                {
                    failures.Add($"{key}:Replay:Speed: {source.Replay.Speed} is out of range; allowed: 0 (as fast as possible) or more");
                }

                if (source.Replay.Interval <= TimeSpan.Zero)
                {
                    failures.Add($"{key}:Replay:Interval: {source.Replay.Interval} must be positive");
                }

                break;
            case SourceKind.ImageFolder:
                if (!Directory.Exists(source.Images.Folder))
                {
                    failures.Add($"{key}:Images:Folder: '{source.Images.Folder}' does not exist");
                }

                if (source.Images.FramesPerSecond < 0)
                {
                    failures.Add($"{key}:Images:FramesPerSecond: {source.Images.FramesPerSecond} must be 0 (as fast as possible) or more");
                }

                break;
            default:
                failures.Add($"{key}:Type: {source.Type} is unknown; allowed: SimulatedLoops, GpioLoops, Replay, ImageFolder");
                break;
        }
    }

    private static void CheckLoops(SourceOptions source, string key, List<string> failures)
    {
        var loops = source.Loops;
        if (loops.Lanes.Count == 0)
        {
            failures.Add($"{key}:Loops:Lanes: at least one lane is needed");
        }

        var pins = new HashSet<int>();
        var lanes = new HashSet<string>(StringComparer.Ordinal);
        for (var l = 0; l < loops.Lanes.Count; l++)
        {
            var lane = loops.Lanes[l];
            var laneKey = $"{key}:Loops:Lanes:{l}";
            if (!PipelineName().IsMatch(lane.Name) || !lanes.Add(lane.Name))
            {
                failures.Add($"{laneKey}:Name: '{lane.Name}' is missing, repeated or not letters, digits, '-' or '_'");
            }

            if (lane.LeadPin < 0 || !pins.Add(lane.LeadPin))
            {
                failures.Add($"{laneKey}:LeadPin: {lane.LeadPin} is negative or used twice");
            }

            if (lane.TrailPin >= 0 && !pins.Add(lane.TrailPin))
            {
                failures.Add($"{laneKey}:TrailPin: {lane.TrailPin} is used twice");
            }

            if (!(lane.LoopSpacingMeters > 0) || !(lane.LoopLengthMeters > 0))
            {
                failures.Add($"{laneKey}: LoopSpacingMeters and LoopLengthMeters must be positive");
            }
        }

        if (loops.Interval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{key}:Loops:Interval: {loops.Interval} is too short; allowed: 00:00:01 or more");
        }

        if (loops.Debounce < TimeSpan.Zero || loops.Debounce >= TimeSpan.FromSeconds(1))
        {
            failures.Add($"{key}:Loops:Debounce: {loops.Debounce} is out of range; allowed: 0 to under 1 s");
        }

        if (loops.Settle < TimeSpan.Zero || loops.Settle >= loops.Interval)
        {
            failures.Add($"{key}:Loops:Settle: {loops.Settle} must be at least 0 and shorter than the interval");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex PipelineName();
}
