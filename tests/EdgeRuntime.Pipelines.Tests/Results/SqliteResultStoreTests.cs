using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Results;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Pipelines.Tests.Results;

public sealed class SqliteResultStoreTests
{
    [Fact]
    public async Task Prune_DeletesWhatRetentionAndRowCapNoLongerKeep()
    {
        var folder = Directory.CreateTempSubdirectory("edge-results-").FullName;
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        await using (var store = new SqliteResultStore(Path.Combine(folder, "results.db"), new StorageOptions { RetentionHours = 1, MaxRows = 5 }, time))
        {
            for (var i = 0; i < 3; i++)
            {
                store.Write(new PipelineResult("p", "s", time.GetUtcNow(), 1, "{\"old\":true}"u8.ToArray()));
            }

            await store.FlushAsync(TestContext.Current.CancellationToken);
            time.Advance(TimeSpan.FromHours(2));
            for (var i = 0; i < 7; i++)
            {
                store.Write(new PipelineResult("p", "s", time.GetUtcNow(), 2, System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{i}}}")));
            }

            await store.FlushAsync(TestContext.Current.CancellationToken);

            // The writer prunes by itself once a minute of its clock has passed; pruning again is harmless.
            store.Prune();

            var kept = store.Read("p");
            Assert.Equal(5, kept.Count);
            Assert.All(kept, row => Assert.Equal(2, row.ModelVersion));
            Assert.Equal("{\"n\":6}", kept[^1].Json);
        }

        Directory.Delete(folder, recursive: true);
    }
}
