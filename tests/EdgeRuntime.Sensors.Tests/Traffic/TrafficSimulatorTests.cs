using EdgeRuntime.Sensors.Gpio;
using EdgeRuntime.Sensors.Traffic;

namespace EdgeRuntime.Sensors.Tests.Traffic;

public sealed class TrafficSimulatorTests
{
    private static readonly LoopLane[] Lanes =
    [
        new() { Name = "a", LeadPin = 0, TrailPin = 1 },
        new() { Name = "b", LeadPin = 2, TrailPin = 3 },
    ];

    private static readonly DateTimeOffset MondayPeak = new(2026, 1, 5, 7, 30, 0, TimeSpan.Zero);

    [Fact]
    public void SameSeed_SameVehicles_OtherSeed_OtherIntersection()
    {
        static List<SimulatedVehicle> Run(int seed, out double scale)
        {
            var simulator = new TrafficSimulator(Lanes, new TrafficScenario { Seed = seed }, MondayPeak);
            var vehicles = new List<SimulatedVehicle>();
            simulator.VehicleGenerated += vehicles.Add;
            simulator.TakeUntil(TimeSpan.FromMinutes(10));
            scale = simulator.DemandScale;
            return vehicles;
        }

        var first = Run(7, out var scaleA);
        var again = Run(7, out _);
        var other = Run(8, out var scaleB);

        Assert.Equal(first, again);
        Assert.NotEqual(first.Count, other.Count);
        Assert.NotEqual(scaleA, scaleB);
        Assert.All(first, v => Assert.InRange(v.SpeedKmh, 5, 120));
    }

    [Fact]
    public void SignalCycle_VehiclesCrossOnlyOnGreen_QueuesDischargeAtSaturationHeadway()
    {
        var scenario = new TrafficScenario { Seed = 5, DemandScale = 0.6, IncidentsPerLanePerDay = 0, SignalCycleSeconds = 90, GreenShare = 0.5 };
        var simulator = new TrafficSimulator(Lanes, scenario, MondayPeak);
        var vehicles = new List<SimulatedVehicle>();
        simulator.VehicleGenerated += vehicles.Add;
        simulator.TakeUntil(TimeSpan.FromMinutes(30));

        Assert.NotEmpty(vehicles);
        Assert.All(vehicles, v => Assert.InRange(v.ArrivesAt.TotalSeconds % 90, 0, 45));
        foreach (var lane in vehicles.GroupBy(v => v.Lane))
        {
            var times = lane.Select(v => v.ArrivesAt.TotalSeconds).Order().ToList();
            Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 2.0 - 1e-9, $"{pair.First:0.00} then {pair.Second:0.00}"));
        }

        // Queues built on red go out at the start of green: the first seconds of green carry the most vehicles.
        var early = vehicles.Count(v => v.ArrivesAt.TotalSeconds % 90 < 10);
        var late = vehicles.Count(v => v.ArrivesAt.TotalSeconds % 90 is >= 35 and < 45);
        Assert.True(early > 1.5 * late, $"{early} vehicles in the first 10 s of green, {late} in the last 10 s");
    }

    [Fact]
    public void Demand_PeakHourCarriesMoreThanNight()
    {
        static int Count(DateTimeOffset start)
        {
            var simulator = new TrafficSimulator(Lanes, new TrafficScenario { Seed = 3, DemandScale = 1, IncidentsPerLanePerDay = 0 }, start);
            var n = 0;
            simulator.VehicleGenerated += _ => n++;
            simulator.TakeUntil(TimeSpan.FromHours(1));
            return n;
        }

        var peak = Count(new DateTimeOffset(2026, 1, 5, 7, 30, 0, TimeSpan.Zero));
        var night = Count(new DateTimeOffset(2026, 1, 5, 2, 0, 0, TimeSpan.Zero));
        Assert.True(peak > 5 * night, $"peak hour {peak} vehicles, night hour {night}");
    }

    [Fact]
    public void SimulatedPassages_ThroughLoopAggregation_GiveTheSimulatorsCountsAndSpeeds()
    {
        var simulator = new TrafficSimulator(Lanes, new TrafficScenario { Seed = 11, DemandScale = 1.2 }, MondayPeak);
        var vehicles = new List<SimulatedVehicle>();
        simulator.VehicleGenerated += vehicles.Add;
        var aggregators = Lanes.Select(l => new LaneAggregator(l, TimeSpan.FromMilliseconds(40), new VehicleClasses(), TimeSpan.FromSeconds(2))).ToArray();
        var interval = TimeSpan.FromMinutes(1);
        var checkedIntervals = 0;
        for (var k = 0; k < 10; k++)
        {
            var start = interval * k;
            var end = start + interval;
            foreach (var t in simulator.TakeUntil(end + TimeSpan.FromSeconds(2)))
            {
                var lane = t.Pin / 2;
                aggregators[lane].Edge(t.Pin % 2 == 0, t.High, t.At);
            }

            for (var lane = 0; lane < Lanes.Length; lane++)
            {
                var values = aggregators[lane].Close(start, end, end + TimeSpan.FromSeconds(2));
                var expected = vehicles.Where(v => v.Lane == lane && v.ArrivesAt >= start && v.ArrivesAt < end).ToList();
                Assert.Equal(expected.Count, values[LaneMetrics.Count]);
                if (expected.Count > 0)
                {
                    // Travel times are exact to the 100 ns tick, so measured speeds match the simulated ones to far below 0.01 km/h.
                    Assert.Equal(expected.Average(v => v.SpeedKmh), values[LaneMetrics.SpeedKmh], 0.01);
                    checkedIntervals++;
                }
            }
        }

        Assert.True(checkedIntervals >= 15, $"only {checkedIntervals} lane-intervals had traffic");
    }
}
