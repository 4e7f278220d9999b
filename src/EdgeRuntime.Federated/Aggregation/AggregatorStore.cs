using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// An aggregator's state on disk: SQLite in WAL mode with <c>synchronous = FULL</c> (a commit is fsynced). The
/// <c>ledger</c> has one row per update id ever seen, with its outcome (buffered, applied, forwarded, expired,
/// rejected, duplicate) — the accounting and the duplicate filter in one; <c>buffer</c> keeps the received bytes of
/// updates not yet in a version (the log the in-memory sums are rebuilt from after a crash); <c>partials</c> the
/// members' sums the lead holds; <c>versions</c>, <c>parameters</c> and <c>optimizer</c> the global model. Used by one
/// thread at a time (the <see cref="AggregatorCore"/> serialises).
/// </summary>
internal sealed class AggregatorStore : IDisposable
{
    private readonly SqliteConnection _connection;

    public AggregatorStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        _connection.Open();
        Execute(null, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS ledger (
                update_id TEXT PRIMARY KEY,
                device TEXT NOT NULL,
                base_version INTEGER NOT NULL,
                samples INTEGER NOT NULL,
                outcome TEXT NOT NULL,
                reason TEXT,
                version INTEGER,
                partial_id TEXT,
                confirmed INTEGER NOT NULL DEFAULT 0,
                at_ticks INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS ledger_by_partial ON ledger (partial_id);
            CREATE INDEX IF NOT EXISTS ledger_by_outcome ON ledger (outcome);
            CREATE TABLE IF NOT EXISTS buffer (
                update_id TEXT PRIMARY KEY,
                base_version INTEGER NOT NULL,
                samples INTEGER NOT NULL,
                received_ticks INTEGER NOT NULL,
                bytes BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS partials (
                partial_id TEXT PRIMARY KEY,
                from_id TEXT NOT NULL,
                received_ticks INTEGER NOT NULL,
                body BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS versions (
                version INTEGER PRIMARY KEY,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                created_ticks INTEGER NOT NULL,
                updates INTEGER NOT NULL,
                published INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS parameters (version INTEGER PRIMARY KEY, vector BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS optimizer (id INTEGER PRIMARY KEY CHECK (id = 0), steps INTEGER NOT NULL, momentum BLOB, second BLOB);
            """);
    }

    public SqliteTransaction Begin() => _connection.BeginTransaction();

    public string? Meta(string key) => Query(null, "SELECT value FROM meta WHERE key = $k", r => r.GetString(0), ("$k", key)).FirstOrDefault();

    public void SetMeta(SqliteTransaction transaction, string key, string value) =>
        Execute(transaction, "INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = $v", ("$k", key), ("$v", value));

    public long? MetaLong(string key) => Meta(key) is { } v ? long.Parse(v, CultureInfo.InvariantCulture) : null;

    public void SetMeta(SqliteTransaction transaction, string key, long value) => SetMeta(transaction, key, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The ledger rows of <paramref name="ids"/> that exist: id → (outcome, partial id).</summary>
    public Dictionary<string, (string Outcome, string? PartialId)> Ledger(IEnumerable<string> ids, SqliteTransaction? transaction = null)
    {
        var found = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            var names = chunk.Select((_, i) => $"$i{i}").ToArray();
            var parameters = chunk.Select((id, i) => (names[i], (object)id)).ToArray();
            foreach (var (id, outcome, partial) in Query(transaction, $"SELECT update_id, outcome, partial_id FROM ledger WHERE update_id IN ({string.Join(',', names)})", r => (r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)), parameters))
            {
                found[id] = (outcome, partial);
            }
        }

        return found;
    }

    public void InsertLedger(SqliteTransaction transaction, LedgerRow row) => Execute(
        transaction,
        "INSERT INTO ledger (update_id, device, base_version, samples, outcome, reason, version, partial_id, confirmed, at_ticks) VALUES ($id, $d, $b, $s, $o, $r, NULL, $p, $c, $t)",
        ("$id", row.UpdateId), ("$d", row.Device), ("$b", row.BaseVersion), ("$s", row.Samples), ("$o", row.Outcome), ("$r", (object?)row.Reason ?? DBNull.Value), ("$p", (object?)row.PartialId ?? DBNull.Value), ("$c", row.Confirmed ? 1 : 0), ("$t", row.AtTicks));

    public void InsertBuffer(SqliteTransaction transaction, string id, long baseVersion, long samples, long receivedTicks, ReadOnlyMemory<byte> bytes) => Execute(
        transaction,
        "INSERT INTO buffer (update_id, base_version, samples, received_ticks, bytes) VALUES ($id, $b, $s, $t, $bytes)",
        ("$id", id), ("$b", baseVersion), ("$s", samples), ("$t", receivedTicks), ("$bytes", bytes.ToArray()));

    /// <summary>Buffered updates; <paramref name="unsentOnly"/>: those whose ledger row names no partial (a member's unsent share).</summary>
    public List<BufferRow> Buffer(bool unsentOnly = false) => Query(
        null,
        "SELECT b.update_id, b.base_version, b.samples, b.received_ticks, b.bytes FROM buffer b" + (unsentOnly ? " JOIN ledger l ON l.update_id = b.update_id WHERE l.partial_id IS NULL" : string.Empty) + " ORDER BY b.received_ticks, b.update_id",
        r => new BufferRow(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), (byte[])r.GetValue(4)));

    /// <summary>Ledger rows a member has not reported yet (no partial): buffered updates and its own outcomes.</summary>
    public List<LedgerRow> Unreported() => Query(
        null,
        "SELECT update_id, device, base_version, samples, outcome, reason, partial_id, confirmed, at_ticks FROM ledger WHERE partial_id IS NULL AND outcome IN ('buffered', 'expired', 'rejected') ORDER BY at_ticks, update_id",
        ReadLedger);

    public void InsertPartial(SqliteTransaction transaction, string id, string from, long receivedTicks, byte[] body) => Execute(
        transaction, "INSERT INTO partials (partial_id, from_id, received_ticks, body) VALUES ($id, $f, $t, $b)", ("$id", id), ("$f", from), ("$t", receivedTicks), ("$b", body));

    public bool HasPartial(string id) => Query(null, "SELECT 1 FROM partials WHERE partial_id = $id", r => 1, ("$id", id)).Count > 0
        || Query(null, "SELECT 1 FROM ledger WHERE partial_id = $id LIMIT 1", r => 1, ("$id", id)).Count > 0;

    public List<(string Id, long ReceivedTicks, byte[] Body)> Partials() =>
        Query(null, "SELECT partial_id, received_ticks, body FROM partials ORDER BY received_ticks, partial_id", r => (r.GetString(0), r.GetInt64(1), (byte[])r.GetValue(2)));

    public void InsertVersion(SqliteTransaction transaction, long version, string path, string sha256, long createdTicks, int updates, ReadOnlySpan<float> parameters)
    {
        Execute(transaction, "INSERT OR REPLACE INTO versions (version, path, sha256, created_ticks, updates, published) VALUES ($v, $p, $s, $t, $u, 0)", ("$v", version), ("$p", path), ("$s", sha256), ("$t", createdTicks), ("$u", updates));
        Execute(transaction, "INSERT OR REPLACE INTO parameters (version, vector) VALUES ($v, $x)", ("$v", version), ("$x", MemoryMarshal.AsBytes(parameters).ToArray()));

        // The current version's parameters are what the next one starts from; older ones live in their files.
        Execute(transaction, "DELETE FROM parameters WHERE version < $v", ("$v", version));
    }

    public float[]? Parameters(long version) =>
        Query(null, "SELECT vector FROM parameters WHERE version = $v", r => MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(0)).ToArray(), ("$v", version)).FirstOrDefault();

    public List<VersionRecord> Versions(bool unpublishedOnly) => Query(
        null,
        "SELECT version, path, sha256, created_ticks, updates, published FROM versions" + (unpublishedOnly ? " WHERE published = 0" : string.Empty) + " ORDER BY version",
        r => new VersionRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), new DateTimeOffset(r.GetInt64(3), TimeSpan.Zero), r.GetInt32(4), r.GetInt64(5) != 0));

    public void MarkPublished(long version)
    {
        using var transaction = Begin();
        Execute(transaction, "UPDATE versions SET published = 1 WHERE version = $v", ("$v", version));
        transaction.Commit();
    }

    public void SaveOptimizer(SqliteTransaction transaction, ServerOptimizerState state) => Execute(
        transaction,
        "INSERT OR REPLACE INTO optimizer (id, steps, momentum, second) VALUES (0, $s, $m, $v)",
        ("$s", state.Steps),
        ("$m", state.Momentum is null ? DBNull.Value : MemoryMarshal.AsBytes(state.Momentum.AsSpan()).ToArray()),
        ("$v", state.SecondMoment is null ? DBNull.Value : MemoryMarshal.AsBytes(state.SecondMoment.AsSpan()).ToArray()));

    public ServerOptimizerState Optimizer() => Query(
        null,
        "SELECT steps, momentum, second FROM optimizer WHERE id = 0",
        r => new ServerOptimizerState(
            r.IsDBNull(1) ? null : MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(1)).ToArray(),
            r.IsDBNull(2) ? null : MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(2)).ToArray(),
            r.GetInt64(0))).FirstOrDefault() ?? ServerOptimizerState.Initial;

    /// <summary>Per device, the count of each outcome.</summary>
    public Dictionary<string, Dictionary<string, long>> Accounts()
    {
        var accounts = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        foreach (var (device, outcome, count) in Query(null, "SELECT device, outcome, COUNT(*) FROM ledger GROUP BY device, outcome", r => (r.GetString(0), r.GetString(1), r.GetInt64(2))))
        {
            if (!accounts.TryGetValue(device, out var counts))
            {
                counts = new Dictionary<string, long>(StringComparer.Ordinal);
                accounts[device] = counts;
            }

            counts[outcome] = count;
        }

        return accounts;
    }

    public int Execute(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command.ExecuteNonQuery();
    }

    public List<T> Query<T>(SqliteTransaction? transaction, string sql, Func<SqliteDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public void Dispose() => _connection.Dispose();

    private static LedgerRow ReadLedger(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetInt64(7) != 0, r.GetInt64(8));
}

/// <summary>One ledger row.</summary>
internal sealed record LedgerRow(string UpdateId, string Device, long BaseVersion, long Samples, string Outcome, string? Reason, string? PartialId, bool Confirmed, long AtTicks);

/// <summary>One buffered update's stored bytes.</summary>
internal sealed record BufferRow(string UpdateId, long BaseVersion, long Samples, long ReceivedTicks, byte[] Bytes);

/// <summary>A global version the lead made.</summary>
/// <param name="Version">Its number.</param>
/// <param name="Path">Its ONNX file.</param>
/// <param name="Sha256">The file's sha256.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="Updates">Updates applied in it.</param>
/// <param name="Published">Whether it is on the broker.</param>
public sealed record VersionRecord(long Version, string Path, string Sha256, DateTimeOffset CreatedAt, int Updates, bool Published);
