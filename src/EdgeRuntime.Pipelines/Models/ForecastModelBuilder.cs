using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Sensors.Features;

namespace EdgeRuntime.Pipelines.Models;

/// <summary>
/// Builds a moving-average forecaster: a linear model over the flattened window, <c>forecast = W · window + b</c>,
/// ONNX opset 17, input <c>window</c> [batch, N, F], output <c>forecast</c> [batch, 1] in the target's normalised units,
/// the <see cref="FeatureSpec"/> in its metadata, weights that average the target over the last intervals. The
/// smallest model a forecast pipeline can serve: the pipeline benchmark's "lane forecaster" and the tests' stand-in.
/// The daemon's built-in forecaster is the trained one in configs/models (docs/learning.md).
/// </summary>
public static class ForecastModelBuilder
{
    /// <summary>The metadata key that marks a model built here.</summary>
    public const string BuiltInKey = "edge.builtin";

    /// <summary>The ONNX bytes for <paramref name="spec"/>, averaging the last <paramref name="averageOf"/> intervals.</summary>
    public static byte[] Build(FeatureSpec spec, int averageOf = 4, long modelVersion = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Check() is { } problem)
        {
            throw new ArgumentException($"feature spec: {problem}", nameof(spec));
        }

        var rows = spec.Window;
        var width = spec.RowWidth;
        var target = spec.Metrics.IndexOf(spec.Target);
        var k = Math.Clamp(averageOf, 1, rows);
        var weights = new float[rows * width];
        for (var back = 1; back <= k; back++)
        {
            weights[((rows - back) * width) + target] = 1f / k;
        }

        var graph = new Graph.Ir.Graph("edge_forecast");
        var model = new Model(graph) { IrVersion = 8, ProducerName = "edge-runtime", ModelVersion = modelVersion, DocString = "moving-average forecaster (untrained)" };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        model.Metadata.Add(new KeyValuePair<string, string>(FeatureSpec.MetadataKey, spec.ToJson()));
        model.Metadata.Add(new KeyValuePair<string, string>(BuiltInKey, $"untrained: mean of the last {k} intervals of {spec.Target}"));
        var window = graph.AddInput("window", new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Known(rows), Dim.Known(width)])));
        var flatShape = graph.AddInitializer("flat_shape", Tensor.From<long>([-1, rows * width], [2]));
        var w = graph.AddInitializer("weights", Tensor.From<float>(weights, [rows * width, 1]));
        var b = graph.AddInitializer("bias", Tensor.From<float>([0f], [1]));
        var flat = graph.AddNode("Reshape", [window, flatShape], "flat").Outputs[0];
        var product = graph.AddNode("MatMul", [flat, w], "product").Outputs[0];
        var forecast = graph.AddNode("Add", [product, b], ["forecast"]).Outputs[0]!;
        graph.AddOutput(forecast);
        return OnnxModelWriter.ToBytes(model);
    }

    /// <summary>The spec of the built-in lane forecaster: count, occupancy and speed per interval, forecasting count.</summary>
    public static FeatureSpec LaneSpec(int window) => new()
    {
        Metrics = ["count", "occupancy", "speedKmh"],
        Mean = [2, 0.1, 45],
        Std = [2, 0.1, 10],
        Window = window,
        Target = "count",
        TimeEncoding = true,
    };
}
