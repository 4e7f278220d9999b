using System.Collections.Concurrent;
using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Globalization;
using EdgeRuntime.Sensors.Gpio;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Sensors.Tests.Gpio;

/// <summary>
/// The loop-detection path on a real board through libgpiod: two output lines wired to two input lines play a
/// loop pair. Set EDGE_TEST_GPIO=chip:leadOut:trailOut:leadIn:trailIn (e.g. 4:17:27:22:23 on a Raspberry Pi 5 with
/// GPIO17→22 and GPIO27→23 jumpered). The simulated chip runs the same logic exactly in InductionLoopSourceTests.
/// </summary>
[Trait("requires", "gpio")]
public sealed class InductionLoopHardwareTests
{
    [Fact]
    public async Task WiredLoopPair_ThreeVehicles_CountedWithTheirSpeed()
    {
        if (Environment.GetEnvironmentVariable("EDGE_TEST_GPIO")?.Split(':') is not [var chip, var leadOut, var trailOut, var leadIn, var trailIn])
        {
            Assert.Skip("set EDGE_TEST_GPIO=chip:leadOut:trailOut:leadIn:trailIn with the outputs wired to the inputs");
            return;
        }

        static int Pin(string value) => int.Parse(value, CultureInfo.InvariantCulture);
        using var controller = new GpioController(new LibGpiodDriver(Pin(chip)));
        controller.OpenPin(Pin(leadOut), PinMode.Output, PinValue.Low);
        controller.OpenPin(Pin(trailOut), PinMode.Output, PinValue.Low);
        var options = new InductionLoopOptions
        {
            Lanes = [new LoopLane { Name = "bench", LeadPin = Pin(leadIn), TrailPin = Pin(trailIn), LoopSpacingMeters = 5, LoopLengthMeters = 2 }],
            Interval = TimeSpan.FromSeconds(10),
            Settle = TimeSpan.FromSeconds(1),
        };
        var samples = new ConcurrentQueue<IntervalSample>();
        using var stop = new CancellationTokenSource();
        var source = new InductionLoopSource("bench", controller, options, TimeProvider.System);
        var running = Task.Run(() => source.RunAsync(new Collector(samples), stop.Token), TestContext.Current.CancellationToken);

        // Wait for the start of a fresh interval, then three vehicles at 10 m/s (0.5 s between the loops, 0.65 s on each).
        await Eventually.TrueAsync(() => !samples.IsEmpty, "the first interval to close", TimeSpan.FromSeconds(30));
        samples.Clear();
        for (var vehicle = 0; vehicle < 3; vehicle++)
        {
            controller.Write(Pin(leadOut), PinValue.High);
            await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System, TestContext.Current.CancellationToken);
            controller.Write(Pin(trailOut), PinValue.High);
            await Task.Delay(TimeSpan.FromMilliseconds(150), TimeProvider.System, TestContext.Current.CancellationToken);
            controller.Write(Pin(leadOut), PinValue.Low);
            await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System, TestContext.Current.CancellationToken);
            controller.Write(Pin(trailOut), PinValue.Low);
            await Task.Delay(TimeSpan.FromMilliseconds(1000), TimeProvider.System, TestContext.Current.CancellationToken);
        }

        await Eventually.TrueAsync(() => samples.Sum(s => s.Values[LaneMetrics.Count]) >= 3, "the vehicles to be counted", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        var counted = samples.Where(s => s.Values[LaneMetrics.Count] > 0).ToList();
        Assert.Equal(3, counted.Sum(s => s.Values[LaneMetrics.Count]));
        Assert.All(counted, s => Assert.InRange(s.Values[LaneMetrics.SpeedKmh], 30, 43));
    }

    private sealed class Collector(ConcurrentQueue<IntervalSample> samples) : ISampleSink
    {
        public bool Offer(SensorSample sample)
        {
            samples.Enqueue((IntervalSample)sample);
            return true;
        }
    }
}
