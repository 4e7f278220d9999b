using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EdgeRuntime.Fleet.Plot;

/// <summary>
/// Reads a device's result store (the daemon's <c>results.db</c>, table <c>results</c>) read-only, so it can be read
/// while the daemon writes it (WAL) or from a copy taken off the device.
/// </summary>
internal static class ResultStoreReader
{
    /// <summary>The pipelines the store holds results of, by count.</summary>
    public static IReadOnlyList<(string Pipeline, long Results)> Pipelines(string path)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT pipeline, COUNT(*) FROM results GROUP BY pipeline ORDER BY COUNT(*) DESC";
        using var reader = command.ExecuteReader();
        var pipelines = new List<(string, long)>();
        while (reader.Read())
        {
            pipelines.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return pipelines;
    }

    /// <summary>The results of <paramref name="pipeline"/> with interval times in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <exception cref="SqliteException">The file is not a result store.</exception>
    public static IReadOnlyList<ResultRecord> Read(string path, string pipeline, DateTimeOffset? from, DateTimeOffset? to)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json, time FROM results WHERE pipeline = $pipeline ORDER BY id";
        command.Parameters.AddWithValue("$pipeline", pipeline);
        using var reader = command.ExecuteReader();
        var results = new List<ResultRecord>();
        while (reader.Read())
        {
            var stored = DateTimeOffset.TryParse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : (DateTimeOffset?)null;
            if (ResultRecord.Parse(reader.GetString(0), stored) is { } record && (from is null || record.Time >= from) && (to is null || record.Time < to))
            {
                results.Add(record);
            }
        }

        return results;
    }

    /// <summary>
    /// Training progress, when the store has a <c>learning</c> table (time TEXT, model TEXT, step INTEGER, loss REAL,
    /// validation_loss REAL NULL), as on-device training writes it; empty otherwise.
    /// </summary>
    public static IReadOnlyList<LearningPoint> Learning(string path)
    {
        using var connection = Open(path);
        using (var exists = connection.CreateCommand())
        {
            exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'learning'";
            if (Convert.ToInt64(exists.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
            {
                return [];
            }
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT model, step, loss, validation_loss FROM learning ORDER BY model, step";
        using var reader = command.ExecuteReader();
        var points = new List<LearningPoint>();
        while (reader.Read())
        {
            points.Add(new LearningPoint(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetDouble(3)));
        }

        return points;
    }

    private static SqliteConnection Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist", path);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}

/// <summary>One training step's loss.</summary>
internal sealed record LearningPoint(string Model, long Step, double Loss, double? ValidationLoss);
