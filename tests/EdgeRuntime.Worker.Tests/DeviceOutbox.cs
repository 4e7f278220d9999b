using Microsoft.Data.Sqlite;

namespace EdgeRuntime.Worker.Tests;

/// <summary>A daemon's durable outbox (<c>{state}/outbox.db</c>) and other SQLite files, read beside the running process.</summary>
internal static class DeviceOutbox
{
    /// <summary>Entries waiting in the outbox under <paramref name="state"/>; -1 while it has no outbox file yet.</summary>
    public static long Pending(string state)
    {
        var path = Path.Combine(state, "outbox.db");
        if (!File.Exists(path))
        {
            return -1;
        }

        using var connection = OpenReadOnly(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM entries";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>A read-only, unpooled connection: WAL lets it read while the owner writes, and nothing stays open after.</summary>
    public static SqliteConnection OpenReadOnly(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }
}
