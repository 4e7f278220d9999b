using System.Collections.Concurrent;
using System.Device.Gpio;
using EdgeRuntime.Sensors.Gpio;
using EdgeRuntime.Sensors.Samples;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Sensors.Tests.Gpio;

/// <summary>The production GpioController path over the simulated chip, driven with known vehicle passages.</summary>
public sealed class InductionLoopSourceTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task KnownPassages_CountsOccupancySpeedsGapsAndClassesExactly()
    {
        await using var rig = await LoopRig.StartAsync();

        // A: 10 m/s (36 km/h), 4.5 m: 0.65 s over each loop, reaches the trailing loop 0.5 s later.
        rig.Vehicle(61.0, 0.65, 0.5);

        // B: 20 m/s, 16 m, with contact chatter 10 ms after arrival; plus a 10 ms spike later (no vehicle).
        rig.Edge(70.000, 0, true);
        rig.Edge(70.010, 0, false);
        rig.Edge(70.020, 0, true);
        rig.Edge(70.250, 1, true);
        rig.Edge(70.900, 0, false);
        rig.Edge(71.150, 1, false);
        rig.Edge(80.000, 0, true);
        rig.Edge(80.010, 0, false);

        // C and D back to back: D arrives 0.1 s after C left the lead loop; both 10 m/s, 3 m.
        rig.Edge(90.0, 0, true);
        rig.Edge(90.5, 0, false);
        rig.Edge(90.5, 1, true);
        rig.Edge(90.6, 0, true);
        rig.Edge(91.0, 1, false);
        rig.Edge(91.1, 0, false);
        rig.Edge(91.1, 1, true);
        rig.Edge(91.6, 1, false);

        var interval = await rig.CloseAsync(1);

        Assert.Equal(Start.AddMinutes(1), interval.Time);
        Assert.Equal(TimeSpan.FromMinutes(1), interval.Length);
        Assert.Equal(4, interval.Values[LaneMetrics.Count]);
        Assert.Equal((0.65 + 0.9 + 0.5 + 0.5) / 60, interval.Values[LaneMetrics.Occupancy], 9);
        Assert.Equal((36 + 72 + 36 + 36) / 4.0, interval.Values[LaneMetrics.SpeedKmh], 9);
        Assert.Equal((8.35 + 19.1 + 0.1) / 3, interval.Values[LaneMetrics.GapSeconds], 9);
        Assert.Equal(3, interval.Values[LaneMetrics.ShortVehicles]);
        Assert.Equal(0, interval.Values[LaneMetrics.MediumVehicles]);
        Assert.Equal(1, interval.Values[LaneMetrics.LongVehicles]);
    }

    [Fact]
    public async Task ChatterOnRelease_IsOneVehicleThatLeavesAtTheLastFall()
    {
        await using var rig = await LoopRig.StartAsync();
        rig.Edge(61.0, 0, true);
        rig.Edge(61.5, 0, false);
        rig.Edge(61.51, 0, true);
        rig.Edge(61.52, 0, false);
        rig.Edge(61.53, 0, true);
        rig.Edge(62.0, 0, false);

        var interval = await rig.CloseAsync(1);

        Assert.Equal(1, interval.Values[LaneMetrics.Count]);
        Assert.Equal(1.0 / 60, interval.Values[LaneMetrics.Occupancy], 9);
    }

    [Fact]
    public async Task VehicleOverTheBoundary_CountedWhereItEntered_OccupancySplit()
    {
        await using var rig = await LoopRig.StartAsync();
        rig.Edge(119.5, 0, true);
        rig.Edge(120.5, 0, false);

        var first = await rig.CloseAsync(1);
        var second = await rig.CloseAsync(2);

        Assert.Equal(1, first.Values[LaneMetrics.Count]);
        Assert.Equal(0.5 / 60, first.Values[LaneMetrics.Occupancy], 9);
        Assert.Equal(0, second.Values[LaneMetrics.Count]);
        Assert.Equal(0.5 / 60, second.Values[LaneMetrics.Occupancy], 9);
    }

    /// <summary>A fake clock that counts the timers started on it and those that fired (each of the source's waits is one).</summary>
    private sealed class TimerCountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private int _timers;
        private int _fired;

        public int TimersCreated => Volatile.Read(ref _timers);

        public int TimersFired => Volatile.Read(ref _fired);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(
                s =>
                {
                    Interlocked.Increment(ref _fired);
                    callback(s);
                },
                state,
                dueTime,
                period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
    }

    /// <summary>One lane (lead pin 0, trail pin 1, 5 m apart, 2 m loops) read through a real GpioController.</summary>
    private sealed class LoopRig : ISampleSink, IAsyncDisposable
    {
        private readonly TimerCountingTimeProvider _time = new(Start);
        private readonly SimulatedGpioDriver _driver = new();
        private readonly GpioController _controller;
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<IntervalSample> _samples = new();
        private readonly long _origin;
        private Task _running = Task.CompletedTask;

        private LoopRig()
        {
            _controller = new GpioController(_driver);
            _origin = _time.GetTimestamp();
        }

        public static async Task<LoopRig> StartAsync()
        {
            var rig = new LoopRig();
            var options = new InductionLoopOptions
            {
                Lanes = [new LoopLane { Name = "lane-1", LeadPin = 0, TrailPin = 1, LoopSpacingMeters = 5, LoopLengthMeters = 2 }],
                Interval = TimeSpan.FromMinutes(1),
                Debounce = TimeSpan.FromMilliseconds(40),
                Settle = TimeSpan.FromSeconds(2),
            };
            var source = new InductionLoopSource("loops", rig._controller, options, rig._time);
            rig._running = Task.Run(() => source.RunAsync(rig, rig._stop.Token));
            await Eventually.TrueAsync(() => rig._controller.IsPinOpen(0) && rig._controller.IsPinOpen(1), "the source to open its pins");

            // The source computes its wait from the clock, then starts a timer: a clock moved in between would start the
            // timer from the later time. So the clock moves only once the source waits on its timer.
            await Eventually.TrueAsync(() => rig._time.TimersCreated >= 1, "the source to wait for its first interval");
            return rig;
        }

        public bool Offer(SensorSample sample)
        {
            _samples.Enqueue((IntervalSample)sample);
            return true;
        }

        public void Vehicle(double arrive, double onLoop, double travel)
        {
            Edge(arrive, 0, true);
            Edge(arrive + travel, 1, true);
            Edge(arrive + onLoop, 0, false);
            Edge(arrive + travel + onLoop, 1, false);
        }

        /// <summary>Moves the clock to <paramref name="seconds"/> after start and sets the pin (edges must be in time order per call site).</summary>
        public void Edge(double seconds, int pin, bool high)
        {
            AdvanceTo(seconds);
            _driver.Drive(pin, high ? PinValue.High : PinValue.Low);
        }

        /// <summary>Advances past the settle time of interval <paramref name="k"/> (1-based) and returns its sample.</summary>
        public async Task<IntervalSample> CloseAsync(int k)
        {
            AdvanceTo((60 * (k + 1)) + 2.001);
            await Eventually.TrueAsync(() => _samples.Count >= k, $"interval {k} to close");
            await Eventually.TrueAsync(() => _time.TimersCreated >= k + 1, $"the source to wait for interval {k + 1}");
            return _samples.ElementAt(k - 1);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _running);
            _controller.Dispose();
        }

        private void AdvanceTo(double seconds)
        {
            var target = TimeSpan.FromSeconds(seconds) - _time.GetElapsedTime(_origin);
            if (target > TimeSpan.Zero)
            {
                var fired = _time.TimersFired;
                _time.Advance(target);

                // A wait that ended resumes the source on another thread, which reads the clock for its next wait and
                // then starts a timer. Moving the clock again in between would start that timer late and the interval
                // would never close; so the clock stands still until the source waits again (or has ended).
                if (_time.TimersFired > fired)
                {
                    var rearmed = SpinWait.SpinUntil(() => _time.TimersCreated > _time.TimersFired || _running.IsCompleted, TimeSpan.FromSeconds(30));
                    Assert.True(rearmed, $"the source did not wait again within 30 s after the clock reached {seconds} s");
                }
            }
        }
    }
}
