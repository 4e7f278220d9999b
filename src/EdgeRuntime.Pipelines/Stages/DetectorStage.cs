using System.Text.Json;
using EdgeRuntime.Core.Vision;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Sensors.Camera;
using EdgeRuntime.Sensors.Samples;
using EdgeRuntime.Sensors.Vision;

namespace EdgeRuntime.Pipelines.Stages;

/// <summary>
/// Frames → the detector's input (resized, centred and scaled, CHW) → boxes (UltraFace's scores and corner boxes, or
/// an objectness map) → optionally a virtual loop per stream that counts objects crossing a line.
/// </summary>
/// <remarks>
/// Frames are pre-processed through the <see cref="IFramePreprocessorFactory"/> seam: the C# path by default, the
/// ILGPU kernel when the daemon chooses it (Kernels:FramePreprocessing; docs/kernels.md). The factory owns the
/// pre-processors it hands out.
/// </remarks>
/// <param name="options">The stage's settings.</param>
/// <param name="preprocessors">Where pre-processors come from; null is the C# path.</param>
public sealed class DetectorStage(StageOptions options, IFramePreprocessorFactory? preprocessors = null) : IPipelineStage
{
    private readonly Dictionary<string, VirtualLoop> _loops = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly IFramePreprocessorFactory _preprocessors = preprocessors ?? ManagedFramePreprocessorFactory.Instance;
    private IFramePreprocessor? _preprocessor;
    private string _input = string.Empty;

    /// <inheritdoc />
    public string? Configure(ServedModelFacts model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var input = string.IsNullOrEmpty(options.Input) ? model.Inputs.Keys.First() : options.Input;
        if (!model.Inputs.TryGetValue(input, out var dims))
        {
            return $"model {model.Name} v{model.Version} has no input '{input}'";
        }

        if (dims.Length != 4 || dims[1] is not (1 or 3) || dims[2] <= 0 || dims[3] <= 0)
        {
            return $"model {model.Name} v{model.Version}: input '{input}' is [{string.Join(", ", dims)}], a detector needs [batch, 1 or 3, height, width] with a fixed size";
        }

        _preprocessor = _preprocessors.For(new FramePreprocessing(dims[3], dims[2], (float)options.PixelMean, (float)options.PixelScale, Grayscale: dims[1] == 1));
        _input = input;
        return null;
    }

    /// <inheritdoc />
    public PreparedInput? Prepare(SensorSample sample)
    {
        if (sample is not FrameSample frame || _preprocessor is not { } pre)
        {
            return null;
        }

        var settings = pre.Settings;
        var data = new float[settings.OutputLength];
        pre.Prepare(frame.Frame.Pixels, frame.Frame.Width, frame.Frame.Height, data);
        return new PreparedInput(_input, data, [settings.Channels, settings.Height, settings.Width]);
    }

    /// <inheritdoc />
    public ResultGist Finish(SensorSample sample, PreparedInput input, InferenceReply reply, Utf8JsonWriter result)
    {
        var frame = (FrameSample)sample;
        List<Detection> boxes;
        if (options.Type == StageKind.UltraFace)
        {
            var scores = reply.TryGetOutput("scores", out var s) ? s : throw new InvalidDataException("UltraFace output 'scores' is missing");
            var corners = reply.TryGetOutput("boxes", out var b) ? b : throw new InvalidDataException("UltraFace output 'boxes' is missing");
            boxes = new UltraFaceDecoder((float)options.ScoreThreshold).Decode(scores.Values.Span, corners.Values.Span);
        }
        else
        {
            var map = reply.Output(0);
            var rows = map.Shape.Length >= 2 ? (int)map.Shape[^2] : 1;
            var columns = map.Shape.Length >= 1 ? (int)map.Shape[^1] : map.Values.Length;
            boxes = new HeatmapDecoder((float)options.ScoreThreshold).Decode(map.Values.Span, rows, columns);
        }

        ArgumentNullException.ThrowIfNull(result);
        result.WriteString("frame", frame.Frame.Label);
        result.WriteString("time", frame.Time);
        result.WriteStartArray("boxes");
        foreach (var box in boxes)
        {
            result.WriteStartObject();
            result.WriteNumber("left", Math.Round(box.Left, 4));
            result.WriteNumber("top", Math.Round(box.Top, 4));
            result.WriteNumber("right", Math.Round(box.Right, 4));
            result.WriteNumber("bottom", Math.Round(box.Bottom, 4));
            result.WriteNumber("score", Math.Round(box.Score, 4));
            result.WriteNumber("class", box.Class);
            result.WriteEndObject();
        }

        result.WriteEndArray();
        result.WriteNumber("count", boxes.Count);
        if (options.CountingLine is not [var x1, var y1, var x2, var y2])
        {
            return new ResultGist(() => $"{boxes.Count} objects");
        }

        lock (_gate)
        {
            if (!_loops.TryGetValue(frame.Stream, out var loop))
            {
                loop = new VirtualLoop((float)x1, (float)y1, (float)x2, (float)y2);
                _loops[frame.Stream] = loop;
            }

            result.WriteNumber("crossed", loop.Observe(boxes));
            result.WriteStartObject("crossings");
            result.WriteNumber("forward", loop.Forward);
            result.WriteNumber("backward", loop.Backward);
            result.WriteNumber("total", loop.Total);
            result.WriteEndObject();
            var total = loop.Total;
            return new ResultGist(() => $"{boxes.Count} objects, {total} crossed");
        }
    }
}
