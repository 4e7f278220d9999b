using System.Text;
using System.Threading.Channels;
using EdgeRuntime.Pipelines.Configuration;
using Microsoft.Data.Sqlite;

namespace EdgeRuntime.Pipelines.Results;

/// <summary>
/// Keeps results in a local SQLite file (WAL mode): one row per result with pipeline, stream, time, model version and
/// the JSON document. Writes are batched into transactions by a background writer, so inference never waits on
/// the disk; at most 65,536 results wait for it (more are counted as not stored). Results older than the retention
/// or beyond the row cap are deleted once a minute. Thread-safe.
/// </summary>
public sealed class SqliteResultStore : IResultSink, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<PipelineResult> _pending = Channel.CreateBounded<PipelineResult>(new BoundedChannelOptions(65_536) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task _writer;
    private long _stored;
    private long _notStored;

    /// <summary>Opens (creating when absent) the database at <paramref name="path"/>.</summary>
    public SqliteResultStore(string path, StorageOptions options, TimeProvider timeProvider)
    {
        Path = path;
        _options = options;
        _time = timeProvider;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        using (var connection = Open())
        {
            Execute(connection, """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS results (
                    id INTEGER PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    stream TEXT NOT NULL,
                    time TEXT NOT NULL,
                    model_version INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL,
                    json TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS results_by_pipeline ON results (pipeline, stream, time);
                CREATE INDEX IF NOT EXISTS results_by_age ON results (created_ms);
                """);
        }

        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Results written so far.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Results that could not be stored (queue full or disk error).</summary>
    public long NotStored => Interlocked.Read(ref _notStored);

    /// <summary>The last storage error, one line.</summary>
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public void Write(PipelineResult result)
    {
        Interlocked.Increment(ref _accepted);
        if (!_pending.Writer.TryWrite(result))
        {
            Interlocked.Decrement(ref _accepted);
            Interlocked.Increment(ref _notStored);
        }
    }

    /// <summary>Waits until everything written so far is on disk (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _accepted);
        while (true)
        {
            // Take the signal before checking, so a batch finishing in between is not missed.
            var batchDone = Volatile.Read(ref _batchDone).Task;
            if (Interlocked.Read(ref _finished) >= target)
            {
                return;
            }

            await batchDone.WaitAsync(cancellationToken);
        }
    }

    private TaskCompletionSource _batchDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _accepted;
    private long _finished;

    /// <summary>Rows for <paramref name="pipeline"/>, oldest first: (stream, time, model version, JSON).</summary>
    public List<(string Stream, string Time, long ModelVersion, string Json)> Read(string pipeline)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT stream, time, model_version, json FROM results WHERE pipeline = $p ORDER BY id";
        command.Parameters.AddWithValue("$p", pipeline);
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string, long, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
        }

        return rows;
    }

    /// <summary>Deletes what the retention and the row cap no longer keep; returns rows deleted.</summary>
    public int Prune()
    {
        using var connection = Open();
        return Prune(connection);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
    }

    private int Prune(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM results WHERE created_ms < $oldest;
            DELETE FROM results WHERE id <= (SELECT id FROM results ORDER BY id DESC LIMIT 1 OFFSET $max);
            """;
        command.Parameters.AddWithValue("$oldest", _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)(_options.RetentionHours * 3_600_000));
        command.Parameters.AddWithValue("$max", _options.MaxRows);
        return command.ExecuteNonQuery();
    }

    // The only writer: one connection and one prepared insert for as long as they work; after an error (a full disk)
    // both are opened again for the next batch.
    private async Task WriteLoopAsync()
    {
        var lastPrune = _time.GetTimestamp();
        var batch = new List<PipelineResult>();
        ResultInserter? inserter = null;
        try
        {
            while (await _pending.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < 1000 && _pending.Reader.TryRead(out var result))
                {
                    batch.Add(result);
                }

                try
                {
                    inserter ??= new ResultInserter(Open());
                    inserter.Insert(batch, _time.GetUtcNow().ToUnixTimeMilliseconds());
                    Interlocked.Add(ref _stored, batch.Count);
                    if (_time.GetElapsedTime(lastPrune) > TimeSpan.FromMinutes(1))
                    {
                        lastPrune = _time.GetTimestamp();
                        Prune(inserter.Connection);
                    }
                }
                catch (SqliteException ex)
                {
                    // A full disk or a broken file: keep serving and publishing, say why storing stopped.
                    Interlocked.Add(ref _notStored, batch.Count);
                    LastError = $"{Path}: {ex.Message}".ReplaceLineEndings(" ");
                    inserter?.Dispose();
                    inserter = null;
                }
                finally
                {
                    Interlocked.Add(ref _finished, batch.Count);
                    Interlocked.Exchange(ref _batchDone, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
        }
        finally
        {
            inserter?.Dispose();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The writer's connection and its prepared insert. Owns both.</summary>
    private sealed class ResultInserter : IDisposable
    {
        private readonly SqliteCommand _insert;
        private readonly SqliteParameter _pipeline;
        private readonly SqliteParameter _stream;
        private readonly SqliteParameter _time;
        private readonly SqliteParameter _version;
        private readonly SqliteParameter _created;
        private readonly SqliteParameter _json;

        public ResultInserter(SqliteConnection connection)
        {
            Connection = connection;
            _insert = connection.CreateCommand();
            _insert.CommandText = "INSERT INTO results (pipeline, stream, time, model_version, created_ms, json) VALUES ($p, $s, $t, $v, $c, $j)";
            _pipeline = _insert.Parameters.Add("$p", SqliteType.Text);
            _stream = _insert.Parameters.Add("$s", SqliteType.Text);
            _time = _insert.Parameters.Add("$t", SqliteType.Text);
            _version = _insert.Parameters.Add("$v", SqliteType.Integer);
            _created = _insert.Parameters.Add("$c", SqliteType.Integer);
            _json = _insert.Parameters.Add("$j", SqliteType.Text);
        }

        public SqliteConnection Connection { get; }

        public void Insert(List<PipelineResult> batch, long createdMs)
        {
            using var transaction = Connection.BeginTransaction();
            _insert.Transaction = transaction;
            foreach (var result in batch)
            {
                _pipeline.Value = result.Pipeline;
                _stream.Value = result.Stream;
                _time.Value = result.Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
                _version.Value = result.ModelVersion;
                _created.Value = createdMs;
                _json.Value = Encoding.UTF8.GetString(result.Json);
                _insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        public void Dispose()
        {
            _insert.Dispose();
            Connection.Dispose();
        }
    }
}
