using System.Text;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Results;
using EdgeRuntime.Testing.Mqtt;
using SkiaSharp;

namespace EdgeRuntime.Fleet.Tests.Plot;

/// <summary>edgectl plot on a result store written by the daemon's own store, and live from MQTT.</summary>
public sealed class PlotCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgectl-plot-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<string> StoreAsync(int streams, int intervals, bool horizons)
    {
        var path = Path.Combine(_folder, "results.db");
        await using var store = new SqliteResultStore(path, new StorageOptions(), TimeProvider.System);
        for (var s = 0; s < streams; s++)
        {
            for (var i = 0; i < intervals; i++)
            {
                store.Write(new PipelineResult("traffic", $"lane-{s}", RecordedResults.Start + (i * RecordedResults.Interval), 0, Encoding.UTF8.GetBytes(RecordedResults.Json(s, i, horizons: horizons, latencyMs: 0.5 + (i % 7)))));
            }
        }

        await store.FlushAsync(TestContext.Current.CancellationToken);
        return path;
    }

    [Fact]
    public async Task Plot_ResultStore_ForecastPerStreamLatencyAndErrorAsPng()
    {
        await StoreAsync(streams: 3, intervals: 48, horizons: true);
        var output = Path.Combine(_folder, "plots");

        var (exit, stdout, stderr) = await Edgectl.RunAsync(["plot", "--db", _folder, "--out", output, "--width", "800", "--height", "400"], TestContext.Current.CancellationToken);

        Assert.True(exit == 0, stderr);
        Assert.Equal(
            ["traffic-error.png", "traffic-forecast-lane-0.png", "traffic-forecast-lane-1.png", "traffic-forecast-lane-2.png", "traffic-latency.png"],
            Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("traffic-forecast-lane-0.png (forecast against observed, 48 intervals, horizons 1, 3, 6, 12)", stdout, StringComparison.Ordinal);

        // The images are drawn: the right size, with the observed line (blue) and the forecast line (orange) in the right
        // half (the legend sits in the upper left). Exact forecasts lie on the observations: blue shows around the orange.
        using var image = SKBitmap.Decode(Path.Combine(output, "traffic-forecast-lane-0.png"));
        Assert.Equal((800, 400), (image.Width, image.Height));
        var blue = Pixels(image, new SKColor(0x1f, 0x77, 0xb4));
        var orange = Pixels(image, new SKColor(0xff, 0x7f, 0x0e));
        Assert.True(blue > 60 && orange > 60, $"observed line {blue} px, forecast line {orange} px");
    }

    [Fact]
    public async Task Plot_Svg_OneFilePerChart()
    {
        await StoreAsync(streams: 1, intervals: 20, horizons: false);
        var output = Path.Combine(_folder, "svg");

        var (exit, _, stderr) = await Edgectl.RunAsync(["plot", "--db", Path.Combine(_folder, "results.db"), "--pipeline", "traffic", "--format", "svg", "--out", output], TestContext.Current.CancellationToken);

        Assert.True(exit == 0, stderr);
        var forecast = await File.ReadAllTextAsync(Path.Combine(output, "traffic-forecast-lane-0.svg"), TestContext.Current.CancellationToken);
        Assert.Contains("<svg", forecast, StringComparison.Ordinal);
        Assert.Contains("forecast of the next interval", forecast, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--format", "gif", "edgectl plot: --format 'gif' is unknown; allowed: png, svg")]
    [InlineData("--last", "ever", "edgectl plot: --last 'ever' is not a duration")]
    public async Task Plot_BadArgument_OneLine(string option, string value, string expected)
    {
        var (exit, _, stderr) = await Edgectl.RunAsync(["plot", "--db", _folder, option, value], TestContext.Current.CancellationToken);
        Assert.Equal(2, exit);
        Assert.StartsWith(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plot_MissingStore_OneLineNamingIt()
    {
        var missing = Path.Combine(_folder, "nowhere.db");
        var (exit, _, stderr) = await Edgectl.RunAsync(["plot", "--db", missing], TestContext.Current.CancellationToken);
        Assert.Equal(1, exit);
        Assert.Equal($"edgectl plot: '{missing}' does not exist\n", stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Plot_LiveFromMqtt_PlotsWhatArrivedWhileListening()
    {
        await using var broker = await EmbeddedMqttBroker.StartAsync(FreeTcpPort.Next(), TestLogging.For<EmbeddedMqttBroker>());
        var output = Path.Combine(_folder, "live");
        var run = Edgectl.RunAsync(["plot", "--device", "crossing-1", "--pipeline", "traffic", "--duration", "4s", "--broker", $"127.0.0.1:{broker.Port}", "--out", output], TestContext.Current.CancellationToken);

        // Results published by another client while edgectl listens (it listens for 4 s; results are not retained).
        for (var i = 0; !run.IsCompleted; i++)
        {
            await MosquittoPublisher.PublishAsync(broker.Port, "edge/devices/crossing-1/results/traffic", RecordedResults.Json(0, i));
        }

        var (exit, stdout, stderr) = await run;
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"traffic-forecast-lane-0\.png \(forecast against observed, [1-9]\d* intervals", stdout);
        Assert.True(File.Exists(Path.Combine(output, "traffic-latency.png")));
    }

    /// <summary>Pixels of about <paramref name="color"/> in the right half of <paramref name="image"/>.</summary>
    private static int Pixels(SKBitmap image, SKColor color)
    {
        var count = 0;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = image.Width / 2; x < image.Width; x++)
            {
                var pixel = image.GetPixel(x, y);
                if (Math.Abs(pixel.Red - color.Red) < 8 && Math.Abs(pixel.Green - color.Green) < 8 && Math.Abs(pixel.Blue - color.Blue) < 8)
                {
                    count++;
                }
            }
        }

        return count;
    }
}
