using EdgeRuntime.Core.Outbox;
using Microsoft.Data.Sqlite;

namespace EdgeRuntime.Messaging.Outbox;

/// <summary>
/// The durable outbox: a SQLite file in WAL mode with <c>synchronous = FULL</c>, so a commit is fsynced before
/// <see cref="Add"/> returns and a power cut keeps every added entry. Entries are numbered in the order added
/// (<see cref="Pending"/> reads them in that order) and deleted only by <see cref="Release"/>, which counts the outcome
/// in the same transaction — the accounting (<see cref="Counts"/>) is as durable as the entries. Thread-safe
/// (writes are serialised); <see cref="OutboxUploader"/> sends the entries.
/// </summary>
public sealed class SqliteOutbox : IDurableOutbox, IDisposable
{
    private const string AddedTally = "added";
    private readonly string _connectionString;
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly SqliteConnection _connection;
    private readonly Dictionary<OutboxChannel, int> _channelLimits;
    private readonly Dictionary<OutboxChannel, long> _pendingByChannel = [];
    private long _sends;
    private long _pending;

    /// <summary>Opens (creating when absent) the outbox at <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="timeProvider">Stamps entries.</param>
    /// <param name="maxEntries">Most entries held; <see cref="Add"/> refuses more (default 100,000).</param>
    /// <param name="channelLimits">Most entries one channel may hold (none: only <paramref name="maxEntries"/>), so one
    /// kind of message — results during a long outage — cannot crowd out another (federated updates).</param>
    /// <exception cref="SqliteException">The file cannot be opened or is not a database.</exception>
    public SqliteOutbox(string path, TimeProvider timeProvider, int maxEntries = 100_000, IReadOnlyDictionary<OutboxChannel, int>? channelLimits = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        Path = path;
        MaxEntries = maxEntries;
        _channelLimits = channelLimits?.ToDictionary() ?? [];
        _timeProvider = timeProvider;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        _connection = new SqliteConnection(_connectionString);
        _connection.Open();
        Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS entries (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                channel INTEGER NOT NULL,
                name TEXT NOT NULL,
                payload BLOB NOT NULL,
                release INTEGER NOT NULL,
                added_ticks INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS tallies (
                channel INTEGER NOT NULL,
                outcome TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (channel, outcome));
            """);
        _pending = Scalar(null, "SELECT COUNT(*) FROM entries");
        using var byChannel = _connection.CreateCommand();
        byChannel.CommandText = "SELECT channel, COUNT(*) FROM entries GROUP BY channel";
        using var reader = byChannel.ExecuteReader();
        while (reader.Read())
        {
            _pendingByChannel[(OutboxChannel)reader.GetInt32(0)] = reader.GetInt64(1);
        }
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Most entries held at once.</summary>
    public int MaxEntries { get; }

    /// <summary>Entries waiting for their release.</summary>
    public long PendingCount => Interlocked.Read(ref _pending);

    /// <summary>Raised after an entry was added (the uploader wakes up). Handlers must not block.</summary>
    public event Action? Added;

    /// <inheritdoc />
    public long Add(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Check() is { } problem)
        {
            throw new ArgumentException(problem, nameof(message));
        }

        long sequence;
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var existing = Scalar(transaction, "SELECT seq FROM entries WHERE id = $id", ("$id", message.Id));
            if (existing > 0)
            {
                return existing;
            }

            if (_pending >= MaxEntries)
            {
                throw new OutboxFullException($"the outbox {Path} holds {_pending} entries, its maximum; '{message.Id}' was not added");
            }

            if (_channelLimits.TryGetValue(message.Channel, out var limit) && _pendingByChannel.GetValueOrDefault(message.Channel) >= limit)
            {
                throw new OutboxFullException($"the outbox {Path} holds {limit} {message.Channel} entries, the most that channel may hold; '{message.Id}' was not added");
            }

            using (var insert = _connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO entries (id, channel, name, payload, release, added_ticks) VALUES ($id, $channel, $name, $payload, $release, $added); SELECT last_insert_rowid();";
                insert.Parameters.AddWithValue("$id", message.Id);
                insert.Parameters.AddWithValue("$channel", (int)message.Channel);
                insert.Parameters.AddWithValue("$name", message.Name);
                insert.Parameters.AddWithValue("$payload", message.Payload.ToArray());
                insert.Parameters.AddWithValue("$release", (int)message.Release);
                insert.Parameters.AddWithValue("$added", _timeProvider.GetUtcNow().UtcTicks);
                sequence = (long)insert.ExecuteScalar()!;
            }

            Tally(transaction, message.Channel, AddedTally, 1);
            transaction.Commit();
            _pending++;
            _pendingByChannel[message.Channel] = _pendingByChannel.GetValueOrDefault(message.Channel) + 1;
        }

        Added?.Invoke();
        return sequence;
    }

    /// <summary>Up to <paramref name="limit"/> entries after sequence <paramref name="after"/>, in the order added.</summary>
    public IReadOnlyList<OutboxEntry> Pending(long after = 0, int limit = 256)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT seq, id, channel, name, payload, release, added_ticks FROM entries WHERE seq > $after ORDER BY seq LIMIT $limit";
            command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var entries = new List<OutboxEntry>();
            while (reader.Read())
            {
                entries.Add(new OutboxEntry(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    (OutboxChannel)reader.GetInt32(2),
                    reader.GetString(3),
                    (byte[])reader.GetValue(4),
                    (OutboxRelease)reader.GetInt32(5),
                    new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero)));
            }

            return entries;
        }
    }

    /// <summary>
    /// The oldest <paramref name="limit"/> entries of each release rule — their ids and rules, in the order added, no
    /// payloads. Per rule, so entries the broker's acknowledgement releases (results) are never held up behind entries
    /// that wait for a receiver's receipt (updates while no aggregator answers).
    /// </summary>
    public IReadOnlyList<(long Sequence, string Id, OutboxRelease Release)> Window(int limit)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT seq, id, release FROM (SELECT seq, id, release FROM entries WHERE release = 0 ORDER BY seq LIMIT $limit)
                UNION ALL SELECT seq, id, release FROM (SELECT seq, id, release FROM entries WHERE release <> 0 ORDER BY seq LIMIT $limit)
                ORDER BY seq
                """;
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var entries = new List<(long, string, OutboxRelease)>();
            while (reader.Read())
            {
                entries.Add((reader.GetInt64(0), reader.GetString(1), (OutboxRelease)reader.GetInt32(2)));
            }

            return entries;
        }
    }

    /// <summary>The entry with sequence number <paramref name="sequence"/>, or null once released.</summary>
    public OutboxEntry? Read(long sequence) => Pending(sequence - 1, 1) is [var entry] && entry.Sequence == sequence ? entry : null;

    /// <summary>
    /// Deletes the entries the receipts name and counts each under its outcome, in one transaction; ids not (or no
    /// longer) held are ignored, so a repeated receipt changes nothing. Returns the entries released.
    /// </summary>
    public int Release(IReadOnlyCollection<OutboxReceipt> receipts)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        if (receipts.Count == 0)
        {
            return 0;
        }

        var released = 0;
        List<OutboxChannel>? releasedByChannel = null;
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var receipt in receipts)
            {
                using var delete = _connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM entries WHERE id = $id RETURNING channel";
                delete.Parameters.AddWithValue("$id", receipt.Id);
                var channel = delete.ExecuteScalar();
                if (channel is long c)
                {
                    Tally(transaction, (OutboxChannel)c, Outcome(receipt.Outcome), 1);
                    (releasedByChannel ??= []).Add((OutboxChannel)c);
                    released++;
                }
            }

            transaction.Commit();
            _pending -= released;
            foreach (var c in releasedByChannel ?? [])
            {
                _pendingByChannel[c]--;
            }
        }

        return released;
    }

    /// <summary>Entries of <paramref name="channel"/> waiting for their release.</summary>
    public long PendingOf(OutboxChannel channel)
    {
        lock (_gate)
        {
            return _pendingByChannel.GetValueOrDefault(channel);
        }
    }

    /// <summary>Counts a publish of an entry (resends included; kept in memory for this process).</summary>
    public void CountSend() => Interlocked.Increment(ref _sends);

    /// <inheritdoc />
    public OutboxCounts Counts(OutboxChannel channel)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT outcome, count FROM tallies WHERE channel = $channel";
            command.Parameters.AddWithValue("$channel", (int)channel);
            var tallies = new Dictionary<string, long>(StringComparer.Ordinal);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    tallies[reader.GetString(0)] = reader.GetInt64(1);
                }
            }

            var pending = Scalar(null, "SELECT COUNT(*) FROM entries WHERE channel = $channel", ("$channel", (int)channel));
            long Get(OutboxOutcome outcome) => tallies.GetValueOrDefault(Outcome(outcome));
            return new OutboxCounts(
                tallies.GetValueOrDefault(AddedTally),
                pending,
                Get(OutboxOutcome.Accepted),
                Get(OutboxOutcome.Duplicate),
                Get(OutboxOutcome.Expired),
                Get(OutboxOutcome.Rejected),
                Get(OutboxOutcome.Delivered),
                Interlocked.Read(ref _sends));
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    private static string Outcome(OutboxOutcome outcome) => outcome.ToString().ToLowerInvariant();

    private void Tally(SqliteTransaction transaction, OutboxChannel channel, string outcome, long add)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO tallies (channel, outcome, count) VALUES ($channel, $outcome, $add) ON CONFLICT (channel, outcome) DO UPDATE SET count = count + $add";
        command.Parameters.AddWithValue("$channel", (int)channel);
        command.Parameters.AddWithValue("$outcome", outcome);
        command.Parameters.AddWithValue("$add", add);
        command.ExecuteNonQuery();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private long Scalar(SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteScalar() is long result ? result : 0;
    }
}
