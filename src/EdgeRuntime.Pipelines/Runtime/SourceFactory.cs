using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Sensors.Camera;
using EdgeRuntime.Sensors.Gpio;
using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Sensors.Samples;
using EdgeRuntime.Sensors.Traffic;

namespace EdgeRuntime.Pipelines.Runtime;

/// <summary>
/// Builds a source from its options. Simulated loops get their own simulated chip, a <see cref="GpioController"/>
/// over it and a traffic simulator driving its pins; real loops get libgpiod on the configured chip. What a source
/// needs besides itself (a controller, the simulator's task) is owned by the returned <see cref="RunningSource"/>.
/// </summary>
public static class SourceFactory
{
    /// <summary>Creates the source <paramref name="options"/> describes.</summary>
    /// <exception cref="InvalidDataException">A file it needs is unreadable or malformed.</exception>
    public static RunningSource Create(SourceOptions options, string deviceId, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = string.IsNullOrEmpty(options.Name) ? options.Type.ToString() : options.Name;
        switch (options.Type)
        {
            case SourceKind.SimulatedLoops:
                {
                    var driver = new SimulatedGpioDriver(Math.Max(64, options.Loops.Lanes.Max(l => Math.Max(l.LeadPin, l.TrailPin)) + 1));
                    var controller = new GpioController(driver);
                    // Seed 0: each device its own intersection, from a stable hash of its id (string.GetHashCode is per process).
                    var scenario = options.Simulation.Seed != 0
                        ? options.Simulation
                        : options.Simulation.WithSeed(deviceId.Aggregate(17, (h, c) => unchecked((h * 31) + c)) | 1);

                    var simulator = new TrafficSimulator(options.Loops.Lanes, scenario, scenario.StartAt ?? timeProvider.GetUtcNow());
                    var intersection = new SimulatedIntersection(driver, simulator, timeProvider);
                    return new RunningSource(new InductionLoopSource(name, controller, options.Loops, timeProvider), controller, intersection.RunAsync);
                }

            case SourceKind.GpioLoops:
                {
                    var controller = new GpioController(new LibGpiodDriver(options.GpioChip));
                    return new RunningSource(new InductionLoopSource(name, controller, options.Loops, timeProvider), controller, null);
                }

            case SourceKind.Replay:
                return new RunningSource(new ReplaySource(name, CsvRecording.Load(options.Replay, name), options.Replay, timeProvider), null, null);

            case SourceKind.ImageFolder:
                return new RunningSource(new ImageFolderSource(name, options.Images, timeProvider), null, null);

            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Type, "unknown source kind");
        }
    }
}

/// <summary>A source with what it depends on; dispose after it stopped.</summary>
/// <param name="Source">The source.</param>
/// <param name="Controller">Its GPIO controller, if any (owned).</param>
/// <param name="Driver">A task that drives simulated hardware while the source runs, if any.</param>
public sealed record RunningSource(ISensorSource Source, GpioController? Controller, Func<CancellationToken, Task>? Driver) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Controller?.Dispose();
}
