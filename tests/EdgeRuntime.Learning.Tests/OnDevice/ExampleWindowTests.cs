using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.OnDevice;
using EdgeRuntime.Sensors.Features;

namespace EdgeRuntime.Learning.Tests.OnDevice;

public sealed class ExampleWindowTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-example-window-").FullName;

    [Fact]
    public void Refresh_KeepsTheNewestUpToCapacity_AndReadsEachRowOnce()
    {
        var store = new LabelledExampleStore(Path.Combine(_folder, "learning.db"));
        var window = new ExampleWindow();
        Add(store, 0, 4, windowSize: 6);
        Assert.Equal([0, 1, 2, 3], Firsts(window.Refresh(store, "m", Spec(window: 3), capacity: 5)));

        Add(store, 4, 3, windowSize: 6);
        var refreshed = window.Refresh(store, "m", Spec(window: 3), capacity: 5);

        Assert.Equal([2, 3, 4, 5, 6], Firsts(refreshed));
        Assert.Equal(["north-1"], refreshed.StreamNames);
        Assert.Equal(2 * 10.0, refreshed.LastValue(0) - 1.0, 6);
        Assert.Equal([2, 3, 4, 5, 6], Firsts(window.Refresh(store, "m", Spec(window: 3), capacity: 5)));
        Assert.Equal(5, window.Count);
    }

    [Fact]
    public void Refresh_GrowingPastItsFirstBuffers_KeepsOrder_ThenWrapsAround()
    {
        var store = new LabelledExampleStore(Path.Combine(_folder, "learning.db"));
        var window = new ExampleWindow();
        Add(store, 0, 1500, windowSize: 6);
        window.Refresh(store, "m", Spec(window: 3), capacity: 3000);
        Add(store, 1500, 2000, windowSize: 6);

        var dataset = window.Refresh(store, "m", Spec(window: 3), capacity: 3000);

        Assert.Equal(Enumerable.Range(500, 3000), Firsts(dataset));
        Assert.Equal(3499, (int)dataset.Window(2999)[^1]);
        Assert.Equal(2, dataset.Target(2999).Length);
    }

    [Fact]
    public void Refresh_WithAnotherWindowSize_StartsOverWithThatSizeOnly()
    {
        var store = new LabelledExampleStore(Path.Combine(_folder, "learning.db"));
        var window = new ExampleWindow();
        Add(store, 0, 3, windowSize: 6);
        window.Refresh(store, "m", Spec(window: 3), capacity: 10);
        Add(store, 10, 2, windowSize: 9);

        Assert.Equal([10, 11], Firsts(window.Refresh(store, "m", Spec(window: 3, metrics: ["count", "speed", "occupancy"]), capacity: 10)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static int[] Firsts(ForecastDataset dataset) => [.. Enumerable.Range(0, dataset.Count).Select(i => (int)dataset.Window(i)[0])];

    // Rows of two metrics without time columns: window 3 gives 6 values, the first of the newest row being the target.
    private static FeatureSpec Spec(int window, bool timeEncoding = false, string[]? metrics = null) => new()
    {
        Metrics = [.. metrics ?? ["speed", "count"]],
        Mean = [.. (metrics ?? ["speed", "count"]).Select(_ => 1.0)],
        Std = [.. (metrics ?? ["speed", "count"]).Select(_ => 10.0)],
        Window = window,
        Target = "count",
        TimeEncoding = timeEncoding,
        Horizons = [1, 2],
    };

    private static void Add(LabelledExampleStore store, int first, int count, int windowSize)
    {
        for (var i = first; i < first + count; i++)
        {
            var values = new float[windowSize];
            values[0] = i;
            values[^1] = i;
            store.Add(new LabelledExample("traffic", "m", 1, "north-1", new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero).AddMinutes(i), TimeSpan.FromSeconds(10), values, [0.25f, 0.5f], [1f, 1f], [0f, 0f]));
        }

        store.Flush();
    }
}
