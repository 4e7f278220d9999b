using EdgeRuntime.Learning.OnDevice;

namespace EdgeRuntime.Learning.Tests.OnDevice;

public sealed class LabelledExampleStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-examples-").FullName;

    [Fact]
    public void FlushedExamples_SurviveReopening_InTimeOrder_WithOtherWindowSizesLeftOut()
    {
        var path = Path.Combine(_folder, "learning.db");
        var store = new LabelledExampleStore(path);
        store.Add(Example(2, windowSize: 6));
        store.Add(Example(1, windowSize: 6));
        store.Add(Example(3, windowSize: 9));
        Assert.Equal(3, store.Flush());
        Assert.Equal(0, store.Flush());

        var reopened = new LabelledExampleStore(path);
        var loaded = reopened.Load("m", windowSize: 6, horizons: 2);

        Assert.Equal([1, 2], loaded.Select(e => (int)e.Window[0]));
        Assert.Equal(3, reopened.Count("m"));
        Assert.Equal([0.5f, 1f], loaded[0].Weights);
        Assert.Equal(TimeSpan.FromSeconds(10), loaded[0].IntervalLength);
    }

    [Fact]
    public void BeyondTheCap_OldestAreTrimmed_AndAFullQueueCountsWhatItDrops()
    {
        var store = new LabelledExampleStore(Path.Combine(_folder, "capped.db")) { MaxExamplesPerModel = 5, MaxQueued = 8 };
        for (var i = 0; i < 10; i++)
        {
            store.Add(Example(i, windowSize: 6));
        }

        Assert.Equal(2, store.Dropped);
        store.Flush();

        Assert.Equal(5, store.Count("m"));
        Assert.Equal([3, 4, 5, 6, 7], store.Load("m", 6, 2).Select(e => (int)e.Window[0]));
    }

    [Fact]
    public void LoadAfter_ReadsOnlyRowsStoredSinceTheLastId_InStoredOrder()
    {
        var store = new LabelledExampleStore(Path.Combine(_folder, "incremental.db"));
        store.Add(Example(5, windowSize: 6));
        store.Add(Example(4, windowSize: 6));
        store.Flush();
        var read = new List<LabelledExample>();
        var last = store.LoadAfter("m", 6, 2, afterId: 0, read);

        store.Add(Example(9, windowSize: 9));
        store.Add(Example(7, windowSize: 6));
        store.Flush();
        var next = store.LoadAfter("m", 6, 2, last, read);
        var none = store.LoadAfter("m", 6, 2, next, read);

        Assert.Equal([5, 4, 7], read.Select(e => (int)e.Window[0]));
        Assert.True(next > last);
        Assert.Equal(next, none);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static LabelledExample Example(int minute, int windowSize)
    {
        var window = new float[windowSize];
        window[0] = minute;
        return new LabelledExample("traffic", "m", 1, "north-1", new DateTimeOffset(2026, 3, 2, 8, minute, 0, TimeSpan.Zero), TimeSpan.FromSeconds(10), window, [0.25f, 0.5f], [0.5f, 1f], [0f, 0f]);
    }
}
