using EdgeRuntime.Sensors.Replay;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Sensors.Tests.Replay;

public sealed class CsvRecordingTests
{
    [Fact]
    public void I94Volumes_LongFormat_RepeatedHoursKeptOnce_TimeOrdered()
    {
        var file = SharedModels.RequireData(Path.Combine("i94-traffic-volume", "Metro_Interstate_Traffic_Volume.csv"));
        var options = new ReplayOptions { File = file, Format = RecordingFormat.Long, TimestampColumn = "date_time", Metrics = ["traffic_volume", "temp"], Interval = TimeSpan.FromHours(1) };

        var recording = CsvRecording.Load(options, "i94");

        var rows = File.ReadLines(file).Count() - 1;
        Assert.Equal(48204, rows);
        Assert.Equal(rows, recording.Intervals.Count + recording.DuplicatesSkipped);
        Assert.True(recording.DuplicatesSkipped > 0, "the file repeats hours (one row per weather condition)");
        Assert.All(recording.Intervals.Zip(recording.Intervals.Skip(1)), pair => Assert.True(pair.First.Start < pair.Second.Start));
        var first = recording.Intervals[0];
        Assert.Equal(new DateTimeOffset(2012, 10, 2, 9, 0, 0, TimeSpan.Zero), first.Start);
        Assert.Equal(5545, first.Readings["i94"]["traffic_volume"]);
    }

    [Fact]
    public void RowWithTooFewCells_FailsNamingFileAndLine()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("edge-csv-").FullName, "broken.csv");
        File.WriteAllLines(file, ["a,b", "1,2", "3"]);

        var error = Assert.Throws<InvalidDataException>(() => CsvRecording.Load(new ReplayOptions { File = file }, "x"));

        Assert.Contains("broken.csv:3", error.Message, StringComparison.Ordinal);
    }
}
