using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Sensors.Features;

namespace EdgeRuntime.Learning.Forecasting;

/// <summary>
/// Builds the traffic forecaster: per-stream multi-horizon forecasts from a window of the last N intervals (the
/// <see cref="FeatureSpec"/> travels in the model's metadata). It forecasts the change from the last value, so an
/// untrained model (output layers at zero) repeats the last value — the naive forecast is its zero point:
/// <code>
///   window [batch, N, F]
///   last     = window[:, N-1, target]                          [batch, 1, 1]
///   relative = window − last · m      (m: 1 on the target and profile-value columns)
///   x        = flatten(relative)                               [batch, N·F]
///   h        = relu(x · W1 + b1)                               [batch, hidden]
///   forecast = last + h · W2 + b2 + x · Ws                     [batch, H]   (one column per horizon)
/// </code>
/// Levels are subtracted inside the graph so one model serves streams of any level (a lane at 2 vehicles an interval
/// and one at 20) and the window stays the stage's plain normalised rows. ONNX opset 17, IR 8.
/// </summary>
public static class TrafficForecasterBuilder
{
    /// <summary>The metadata key that names how the model was made.</summary>
    public const string KindKey = "edge.model";

    /// <summary>The value of <see cref="KindKey"/> for models built here.</summary>
    public const string Kind = "traffic-forecaster";

    /// <summary>Initializer names, stable across versions so trained parameters map to the delivered model.</summary>
    public static class Parameters
    {
        public const string HiddenWeights = "hidden.weight";
        public const string HiddenBias = "hidden.bias";
        public const string OutputWeights = "head.weight";
        public const string OutputBias = "head.bias";
        public const string SkipWeights = "skip.weight";
    }

    /// <summary>Every parameter, for training from scratch.</summary>
    public static IReadOnlyList<string> AllParameters { get; } =
        [Parameters.HiddenWeights, Parameters.HiddenBias, Parameters.OutputWeights, Parameters.OutputBias, Parameters.SkipWeights];

    /// <summary>The input and output names.</summary>
    public const string Input = "window";

    /// <inheritdoc cref="Input"/>
    public const string Output = "forecast";

    /// <summary>Builds the untrained model for <paramref name="spec"/>.</summary>
    /// <exception cref="ArgumentException">The spec or the architecture is invalid (one line says why).</exception>
    public static Model Build(FeatureSpec spec, ForecasterArchitecture architecture, long modelVersion = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(architecture);
        if (spec.Check() is { } problem)
        {
            throw new ArgumentException($"feature spec: {problem}", nameof(spec));
        }

        if (architecture.Check() is { } shapeProblem)
        {
            throw new ArgumentException(shapeProblem, nameof(architecture));
        }

        var rows = spec.Window;
        var width = spec.RowWidth;
        var inputs = rows * width;
        var hidden = architecture.Hidden;
        var horizons = spec.Horizons.Count;
        var random = new Random(architecture.Seed);

        var graph = new Graph.Ir.Graph("traffic_forecaster");
        var model = new Model(graph)
        {
            IrVersion = 8,
            ProducerName = "edge-runtime",
            ModelVersion = modelVersion,
            DocString = $"traffic forecaster: window {rows}x{width} -> {hidden} relu -> horizons [{string.Join(", ", spec.Horizons)}] (change from the last value)",
        };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        model.Metadata.Add(new KeyValuePair<string, string>(FeatureSpec.MetadataKey, spec.ToJson()));
        model.Metadata.Add(new KeyValuePair<string, string>(KindKey, Kind));

        var window = graph.AddInput(Input, new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Known(rows), Dim.Known(width)])));
        var lastStarts = graph.AddInitializer("last.starts", Tensor.Vector<long>(rows - 1, spec.TargetColumn));
        var lastEnds = graph.AddInitializer("last.ends", Tensor.Vector<long>(rows, spec.TargetColumn + 1));
        var lastAxes = graph.AddInitializer("last.axes", Tensor.Vector<long>(1, 2));
        var mask = graph.AddInitializer("relative.mask", Tensor.From<float>(RelativeMask(spec), [width]));
        var flatShape = graph.AddInitializer("flat.shape", Tensor.Vector<long>(-1, inputs));
        var columnShape = graph.AddInitializer("last.shape", Tensor.Vector<long>(-1, 1));
        var w1 = graph.AddInitializer(Parameters.HiddenWeights, Tensor.From<float>(HeNormal(random, inputs, hidden), [inputs, hidden]));
        var b1 = graph.AddInitializer(Parameters.HiddenBias, Tensor.From<float>(new float[hidden], [hidden]));
        var w2 = graph.AddInitializer(Parameters.OutputWeights, Tensor.From<float>(new float[hidden * horizons], [hidden, horizons]));
        var b2 = graph.AddInitializer(Parameters.OutputBias, Tensor.From<float>(new float[horizons], [horizons]));
        var ws = graph.AddInitializer(Parameters.SkipWeights, Tensor.From<float>(new float[inputs * horizons], [inputs, horizons]));

        var last = Single(graph.AddNode("Slice", [window, lastStarts, lastEnds, lastAxes], "last"));
        var levels = Single(graph.AddNode("Mul", [last, mask], "levels"));
        var relative = Single(graph.AddNode("Sub", [window, levels], "relative"));
        var flat = Single(graph.AddNode("Reshape", [relative, flatShape], "flat"));
        var hiddenLinear = Single(graph.AddNode("MatMul", [flat, w1], "hidden_linear"));
        var hiddenBiased = Single(graph.AddNode("Add", [hiddenLinear, b1], "hidden_biased"));
        var activation = Single(graph.AddNode("Relu", [hiddenBiased], "hidden"));
        var skip = Single(graph.AddNode("MatMul", [flat, ws], "skip"));
        var headLinear = Single(graph.AddNode("MatMul", [activation, w2], "head_linear"));
        var head = Single(graph.AddNode("Add", [headLinear, b2], "head"));
        var change = Single(graph.AddNode("Add", [head, skip], "change"));
        var lastColumn = Single(graph.AddNode("Reshape", [last, columnShape], "last_column"));
        var forecast = graph.AddNode("Add", [change, lastColumn], [Output]).Outputs[0]!;
        graph.AddOutput(forecast);
        return model;
    }

    /// <summary>The model as ONNX bytes.</summary>
    public static byte[] BuildBytes(FeatureSpec spec, ForecasterArchitecture architecture, long modelVersion = 1) =>
        OnnxModelWriter.ToBytes(Build(spec, architecture, modelVersion));

    /// <summary>1 on the columns measured in the target's units (the target and the profile's values), 0 elsewhere.</summary>
    public static float[] RelativeMask(FeatureSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var mask = new float[spec.RowWidth];
        mask[spec.TargetColumn] = 1;
        if (spec.Profile is { } profile)
        {
            for (var i = 0; i < profile.Offsets.Count; i++)
            {
                mask[spec.ProfileColumn + i] = 1;
            }
        }

        return mask;
    }

    private static Value Single(Node node) => node.Output;

    // He et al. 2015: N(0, 2 / fan_in) keeps a ReLU layer's activations at the input's scale.
    private static float[] HeNormal(Random random, int fanIn, int fanOut)
    {
        var values = new float[fanIn * fanOut];
        var std = Math.Sqrt(2.0 / fanIn);
        for (var i = 0; i < values.Length; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }

        return values;
    }
}
