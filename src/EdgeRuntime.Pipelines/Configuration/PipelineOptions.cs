using EdgeRuntime.Sensors.Camera;
using EdgeRuntime.Sensors.Gpio;
using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Sensors.Traffic;

namespace EdgeRuntime.Pipelines.Configuration;

/// <summary>One pipeline: sources → features → model → post-processing → results (section <c>Pipelines:N</c>).</summary>
public sealed class PipelineOptions
{
    /// <summary>Its name: results go to <c>{root}/devices/{id}/results/{name}</c>. Letters, digits, '-', '_'. Required.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Whether it runs. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where its samples come from. At least one.</summary>
    public List<SourceOptions> Sources { get; set; } = [];

    /// <summary>The model, by name in the model store (delivered), or built in until one is delivered.</summary>
    public PipelineModelOptions Model { get; set; } = new();

    /// <summary>What the samples become and what the outputs mean: <see cref="StageKind"/>.</summary>
    public StageOptions Stage { get; set; } = new();

    /// <summary>Where results go.</summary>
    public ResultOptions Results { get; set; } = new();
}

/// <summary>Which kind of source.</summary>
public enum SourceKind
{
    /// <summary>Induction loops on the simulated GPIO driver, driven by the traffic simulator (the default; any machine).</summary>
    SimulatedLoops,

    /// <summary>Induction loops on a real GPIO chip through libgpiod.</summary>
    GpioLoops,

    /// <summary>A CSV recording.</summary>
    Replay,

    /// <summary>A folder of images as a camera.</summary>
    ImageFolder,
}

/// <summary>A source of samples.</summary>
public sealed class SourceOptions
{
    /// <summary>The kind. Default SimulatedLoops.</summary>
    public SourceKind Type { get; set; } = SourceKind.SimulatedLoops;

    /// <summary>Its name in status (default: the kind).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Loops (SimulatedLoops, GpioLoops).</summary>
    public InductionLoopOptions Loops { get; set; } = new();

    /// <summary>GPIO chip number for GpioLoops (Raspberry Pi 5: 4). Default 0.</summary>
    public int GpioChip { get; set; }

    /// <summary>The simulated intersection (SimulatedLoops); Seed 0 derives one from the device id.</summary>
    public TrafficScenario Simulation { get; set; } = new() { Seed = 0 };

    /// <summary>The recording (Replay).</summary>
    public ReplayOptions Replay { get; set; } = new();

    /// <summary>The folder (ImageFolder).</summary>
    public ImageFolderOptions Images { get; set; } = new();
}

/// <summary>The model a pipeline runs.</summary>
public sealed class PipelineModelOptions
{
    /// <summary>Its name in the model store and on the fleet's manifest topics. Required.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// A model shipped with the daemon (configs/models/NAME.onnx next to the binary) that serves as version 0 while
    /// the store holds no version of <see cref="Name"/>: "traffic-forecast" (the traffic forecaster, trained on
    /// simulated intersections; the device fine-tunes it). Empty: wait for a delivery.
    /// </summary>
    public string BuiltIn { get; set; } = string.Empty;
}

/// <summary>How samples become inputs and outputs become results.</summary>
public enum StageKind
{
    /// <summary>Interval samples → sliding windows → forecast per stream and congestion level.</summary>
    Forecast,

    /// <summary>Frames → UltraFace input → face boxes.</summary>
    UltraFace,

    /// <summary>Frames → objectness-map detector → boxes.</summary>
    Heatmap,
}

/// <summary>Features and post-processing of a pipeline.</summary>
public sealed class StageOptions
{
    /// <summary>The kind. Default Forecast.</summary>
    public StageKind Type { get; set; } = StageKind.Forecast;

    /// <summary>Model input to feed; empty takes the model's first input.</summary>
    public string Input { get; set; } = string.Empty;

    /// <summary>Forecast: occupancy (0..1) at or above which a lane is "moderate". Default 0.15.</summary>
    public double ModerateOccupancy { get; set; } = 0.15;

    /// <summary>Forecast: occupancy at or above which a lane is "heavy". Default 0.3.</summary>
    public double HeavyOccupancy { get; set; } = 0.3;

    /// <summary>Forecast: occupancy at or above which a lane is "jammed". Default 0.5.</summary>
    public double JammedOccupancy { get; set; } = 0.5;

    /// <summary>Detectors: minimum score of a box. Default 0.7.</summary>
    public double ScoreThreshold { get; set; } = 0.7;

    /// <summary>Detectors: a counting line as four frame fractions x1, y1, x2, y2; empty counts nothing.</summary>
    public List<double> CountingLine { get; set; } = [];

    /// <summary>Detectors: pixel mean subtracted before scaling. Default 127.</summary>
    public double PixelMean { get; set; } = 127;

    /// <summary>Detectors: scale the centred pixel is divided by. Default 128.</summary>
    public double PixelScale { get; set; } = 128;
}

/// <summary>Where a pipeline's results go.</summary>
public sealed class ResultOptions
{
    /// <summary>MQTT QoS of results, 0 or 1. Default 1.</summary>
    public int Qos { get; set; } = 1;

    /// <summary>Most results published a second; 0 publishes all. Results over the rate are stored, not published. Default 0.</summary>
    public double MaxPerSecond { get; set; }

    /// <summary>Keep results in the local SQLite store. Default true.</summary>
    public bool Store { get; set; } = true;

    /// <summary>
    /// Send results through the device's durable outbox ({state}/outbox.db, the one federated updates use): each is on
    /// disk before it is sent and deleted only when the broker acknowledges it, so results made while the broker is away
    /// survive an outage of any length and a restart of the daemon. Needs <see cref="Qos"/> 1. Default false: results
    /// wait in memory (MQTT's outgoing queue) and a restart loses what had not gone out.
    /// </summary>
    public bool Durable { get; set; }
}
