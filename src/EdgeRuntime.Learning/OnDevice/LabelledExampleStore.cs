using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace EdgeRuntime.Learning.OnDevice;

/// <summary>
/// The device's labelled examples, kept in a SQLite file (WAL mode, synchronous FULL: a flushed example survives a
/// power cut) so a restart does not lose the labels a day of traffic produced. <see cref="Add"/> only queues (it is
/// on the serving path); <see cref="Flush"/> writes the queue in one transaction and trims each model to
/// <see cref="MaxExamplesPerModel"/> rows, oldest first. At most <see cref="MaxQueued"/> examples wait for a flush;
/// beyond that new ones are counted in <see cref="Dropped"/>. Thread-safe.
/// </summary>
public sealed class LabelledExampleStore : ILabelledExampleSink
{
    private readonly ConcurrentQueue<LabelledExample> _queue = new();
    private readonly string _connectionString;
    private readonly Lock _writeGate = new();
    private int _queued;
    private long _dropped;

    /// <summary>Opens (creating when absent) the store at <paramref name="path"/>.</summary>
    /// <exception cref="SqliteException">The file cannot be opened or is not a database.</exception>
    public LabelledExampleStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS examples (
                id INTEGER PRIMARY KEY,
                model TEXT NOT NULL,
                model_version INTEGER NOT NULL,
                pipeline TEXT NOT NULL,
                stream TEXT NOT NULL,
                interval_start_ticks INTEGER NOT NULL,
                interval_ticks INTEGER NOT NULL,
                window BLOB NOT NULL,
                targets BLOB NOT NULL,
                weights BLOB NOT NULL,
                forecast BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS examples_by_model ON examples (model, interval_start_ticks);
            CREATE TABLE IF NOT EXISTS learning (
                time TEXT NOT NULL,
                model TEXT NOT NULL,
                step INTEGER NOT NULL,
                loss REAL NOT NULL,
                validation_loss REAL);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Most rows kept per model. Default 200,000 (about 120 MB for 12×13 windows).</summary>
    public int MaxExamplesPerModel { get; init; } = 200_000;

    /// <summary>Most examples waiting for <see cref="Flush"/>. Default 100,000.</summary>
    public int MaxQueued { get; init; } = 100_000;

    /// <summary>Examples not kept because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public void Add(LabelledExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        if (Interlocked.Increment(ref _queued) > MaxQueued)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue(example);
    }

    /// <summary>Writes queued examples in one transaction and trims old rows; returns how many were written.</summary>
    /// <exception cref="SqliteException">The disk is full or the file is damaged; the examples stay queued.</exception>
    public int Flush()
    {
        lock (_writeGate)
        {
            var batch = new List<LabelledExample>();
            while (_queue.TryPeek(out var next) && batch.Count < 50_000)
            {
                batch.Add(next);
                _queue.TryDequeue(out _);
            }

            if (batch.Count == 0)
            {
                return 0;
            }

            try
            {
                using var connection = Open();
                using var transaction = connection.BeginTransaction();
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO examples (model, model_version, pipeline, stream, interval_start_ticks, interval_ticks, window, targets, weights, forecast) VALUES ($m, $v, $p, $s, $t, $l, $w, $y, $k, $f)";
                var parameters = new[] { "$m", "$v", "$p", "$s", "$t", "$l", "$w", "$y", "$k", "$f" }.Select(n => insert.Parameters.Add(new SqliteParameter(n, null))).ToArray();
                foreach (var e in batch)
                {
                    parameters[0].Value = e.Model;
                    parameters[1].Value = e.ModelVersion;
                    parameters[2].Value = e.Pipeline;
                    parameters[3].Value = e.Stream;
                    parameters[4].Value = e.IntervalStart.UtcTicks;
                    parameters[5].Value = e.IntervalLength.Ticks;
                    parameters[6].Value = Bytes(e.Window);
                    parameters[7].Value = Bytes(e.Targets);
                    parameters[8].Value = Bytes(e.Weights);
                    parameters[9].Value = Bytes(e.Forecast);
                    insert.ExecuteNonQuery();
                }

                using var trim = connection.CreateCommand();
                trim.Transaction = transaction;
                trim.CommandText = """
                    DELETE FROM examples WHERE id IN (
                        SELECT id FROM examples WHERE model = $m ORDER BY interval_start_ticks DESC, id DESC LIMIT -1 OFFSET $keep)
                    """;
                trim.Parameters.AddWithValue("$keep", MaxExamplesPerModel);
                var model = trim.Parameters.Add(new SqliteParameter("$m", null));
                foreach (var name in batch.Select(e => e.Model).Distinct(StringComparer.Ordinal))
                {
                    model.Value = name;
                    trim.ExecuteNonQuery();
                }

                transaction.Commit();
            }
            catch (SqliteException)
            {
                // Keep what could not be written: it goes first in the next flush.
                foreach (var e in batch)
                {
                    _queue.Enqueue(e);
                }

                throw;
            }

            Interlocked.Add(ref _queued, -batch.Count);
            return batch.Count;
        }
    }

    /// <summary>
    /// Appends a round's learning curve to the <c>learning</c> table (time, model, step, loss, validation_loss), one row
    /// per epoch, steps counted on from the model's previous rows, so <c>edgectl plot</c> draws every round in sequence.
    /// </summary>
    public void RecordCurve(string model, DateTimeOffset time, long stepsPerEpoch, IReadOnlyList<double> loss, IReadOnlyList<double> validationLoss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(validationLoss);
        lock (_writeGate)
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            using var last = connection.CreateCommand();
            last.Transaction = transaction;
            last.CommandText = "SELECT COALESCE(MAX(step), 0) FROM learning WHERE model = $m";
            last.Parameters.AddWithValue("$m", model);
            var step = (long)last.ExecuteScalar()!;
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO learning (time, model, step, loss, validation_loss) VALUES ($t, $m, $s, $l, $v)";
            var parameters = new[] { "$t", "$m", "$s", "$l", "$v" }.Select(n => insert.Parameters.Add(new SqliteParameter(n, null))).ToArray();
            for (var epoch = 0; epoch < loss.Count; epoch++)
            {
                parameters[0].Value = time.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
                parameters[1].Value = model;
                parameters[2].Value = step + ((epoch + 1) * stepsPerEpoch);
                parameters[3].Value = loss[epoch];
                parameters[4].Value = epoch < validationLoss.Count ? validationLoss[epoch] : DBNull.Value;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    /// <summary>Rows kept for <paramref name="model"/>.</summary>
    public long Count(string model)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM examples WHERE model = $m";
        command.Parameters.AddWithValue("$m", model);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// <paramref name="model"/>'s examples with windows of <paramref name="windowSize"/> values and
    /// <paramref name="horizons"/> targets (others were made by a version that read windows differently), oldest first.
    /// </summary>
    public IReadOnlyList<LabelledExample> Load(string model, int windowSize, int horizons)
    {
        var list = new List<LabelledExample>();
        Read(model, windowSize, horizons, "ORDER BY interval_start_ticks, id", afterId: null, list);
        return list;
    }

    /// <summary>
    /// Appends to <paramref name="into"/> the examples of <paramref name="model"/> stored after row
    /// <paramref name="afterId"/>, in the order they were stored, so a learner reads each row once instead of the whole
    /// table every round. Rows of another window size or horizon count are skipped.
    /// </summary>
    /// <returns>The id of the newest row read (or <paramref name="afterId"/> when there was none).</returns>
    public long LoadAfter(string model, int windowSize, int horizons, long afterId, List<LabelledExample> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        return Read(model, windowSize, horizons, "AND id > $after ORDER BY id", afterId, into);
    }

    private long Read(string model, int windowSize, int horizons, string tail, long? afterId, List<LabelledExample> into)
    {
        var last = afterId ?? 0;
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT model_version, pipeline, stream, interval_start_ticks, interval_ticks, window, targets, weights, forecast, id FROM examples WHERE model = $m {tail}";
        command.Parameters.AddWithValue("$m", model);
        if (afterId is { } after)
        {
            command.Parameters.AddWithValue("$after", after);
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            last = Math.Max(last, reader.GetInt64(9));
            var window = Floats((byte[])reader[5]);
            var targets = Floats((byte[])reader[6]);
            if (window.Length != windowSize || targets.Length != horizons)
            {
                continue;
            }

            into.Add(new LabelledExample(
                reader.GetString(1), model, reader.GetInt64(0), reader.GetString(2),
                new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero), TimeSpan.FromTicks(reader.GetInt64(4)),
                window, targets, Floats((byte[])reader[7]), Floats((byte[])reader[8])));
        }

        return last;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = FULL;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
