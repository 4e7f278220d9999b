using System.Globalization;

namespace EdgeRuntime.Sensors.Replay;

/// <summary>
/// A CSV recording read into time-ordered rows of readings. Rows with a timestamp already seen for a stream (the I-94
/// file repeats an hour for each weather condition) keep the first; unparsable values are skipped and counted. A
/// malformed file fails with a message naming the file and line.
/// </summary>
public sealed class CsvRecording
{
    private CsvRecording(string path, List<RecordedInterval> intervals, int duplicates, int unreadable)
    {
        Path = path;
        Intervals = intervals;
        DuplicatesSkipped = duplicates;
        UnreadableValues = unreadable;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Intervals in time order, each with the readings of every stream that has one.</summary>
    public IReadOnlyList<RecordedInterval> Intervals { get; }

    /// <summary>Rows dropped because their stream already had that timestamp.</summary>
    public int DuplicatesSkipped { get; }

    /// <summary>Cells that were not numbers.</summary>
    public int UnreadableValues { get; }

    /// <summary>Reads <paramref name="options"/>' file; <paramref name="defaultStream"/> names a long file without a stream column.</summary>
    /// <exception cref="InvalidDataException">The file is not a recording of the configured format.</exception>
    public static CsvRecording Load(ReplayOptions options, string defaultStream)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var reader = new StreamReader(options.File);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{options.File}: empty file, expected a header row");
        var columns = header.Split(',').Select(c => c.Trim()).ToArray();
        return options.Format == RecordingFormat.Wide
            ? LoadWide(reader, columns, options)
            : LoadLong(reader, columns, options, defaultStream);
    }

    private static CsvRecording LoadWide(StreamReader reader, string[] columns, ReplayOptions options)
    {
        var wanted = Selected(columns, options.Streams, options.File);
        var intervals = new List<RecordedInterval>();
        var unreadable = 0;
        foreach (var (_, cells) in Rows(reader, columns.Length, options.File))
        {
            var readings = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
            foreach (var index in wanted)
            {
                if (double.TryParse(cells[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
                {
                    readings[columns[index]] = new Dictionary<string, double>(StringComparer.Ordinal) { [options.Metric] = value };
                }
                else
                {
                    unreadable++;
                }
            }

            intervals.Add(new RecordedInterval(options.Start + (options.Interval * intervals.Count), readings));
        }

        return new CsvRecording(options.File, intervals, 0, unreadable);
    }

    private static CsvRecording LoadLong(StreamReader reader, string[] columns, ReplayOptions options, string defaultStream)
    {
        var timeIndex = IndexOf(columns, options.TimestampColumn, options.File);
        var streamIndex = string.IsNullOrEmpty(options.StreamColumn) ? -1 : IndexOf(columns, options.StreamColumn, options.File);
        var metricIndexes = options.Metrics.Count > 0
            ? options.Metrics.Select(m => IndexOf(columns, m, options.File)).ToArray()
            : [.. Enumerable.Range(0, columns.Length).Where(i => i != timeIndex && i != streamIndex)];
        var streams = options.Streams.ToHashSet(StringComparer.Ordinal);
        var byTime = new SortedDictionary<DateTimeOffset, Dictionary<string, IReadOnlyDictionary<string, double>>>();
        int duplicates = 0, unreadable = 0;
        foreach (var (lineNumber, cells) in Rows(reader, columns.Length, options.File))
        {
            if (!DateTimeOffset.TryParse(cells[timeIndex], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            {
                throw new InvalidDataException($"{options.File}:{lineNumber}: '{cells[timeIndex]}' in column {options.TimestampColumn} is not a timestamp");
            }

            var stream = streamIndex >= 0 ? cells[streamIndex] : defaultStream;
            if (streams.Count > 0 && !streams.Contains(stream))
            {
                continue;
            }

            if (!byTime.TryGetValue(time, out var row))
            {
                row = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
                byTime[time] = row;
            }

            if (row.ContainsKey(stream))
            {
                duplicates++;
                continue;
            }

            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var index in metricIndexes)
            {
                if (double.TryParse(cells[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
                {
                    values[columns[index]] = value;
                }
                else if (options.Metrics.Count > 0)
                {
                    unreadable++;
                }
            }

            row[stream] = values;
        }

        var intervals = byTime.Select(kv => new RecordedInterval(kv.Key, kv.Value)).ToList();
        return new CsvRecording(options.File, intervals, duplicates, unreadable);
    }

    /// <summary>The non-empty data rows after the header, split into cells, each with its 1-based line number.</summary>
    private static IEnumerable<(int Line, string[] Cells)> Rows(StreamReader reader, int columns, string file)
    {
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Split(',');
            if (cells.Length != columns)
            {
                throw new InvalidDataException($"{file}:{lineNumber}: {cells.Length} cells, the header has {columns}");
            }

            yield return (lineNumber, cells);
        }
    }

    private static int[] Selected(string[] columns, List<string> streams, string file)
    {
        if (streams.Count == 0)
        {
            return [.. Enumerable.Range(0, columns.Length)];
        }

        return [.. streams.Select(s => IndexOf(columns, s, file))];
    }

    private static int IndexOf(string[] columns, string name, string file)
    {
        var index = Array.IndexOf(columns, name);
        return index >= 0 ? index : throw new InvalidDataException($"{file}: no column '{name}' (columns: {string.Join(", ", columns.Take(12))}{(columns.Length > 12 ? ", …" : string.Empty)})");
    }
}

/// <summary>One interval of a recording: its start and each stream's metric values.</summary>
/// <param name="Start">The interval's start.</param>
/// <param name="Readings">Stream → metric → value.</param>
public sealed record RecordedInterval(DateTimeOffset Start, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Readings);
