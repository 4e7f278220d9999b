using System.Text.Json;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Commands;

namespace EdgeRuntime.Delivery.Trust;

/// <summary>
/// The device's record of admitted commands (<c>trust/commands.json</c>): each nonce until its command expires, with the
/// first reply once there is one, so a command republished after a restart — a captured one, or a QoS 1 redelivery — is
/// refused by <see cref="CommandReplay"/> and answered with that first reply. A command is recorded before it is carried
/// out (and before the broker is acknowledged). Thread-safe.
/// </summary>
public sealed class CommandLedger
{
    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly Dictionary<string, JsonElement> _replies = new(StringComparer.Ordinal);
    private CommandHistory _history;

    /// <summary>Loads the record at <paramref name="path"/>; a damaged one is replaced by one that starts at <paramref name="expiryNow"/> (commands issued before are refused: they may have been seen).</summary>
    /// <param name="path">The file.</param>
    /// <param name="expiryNow">The time expiry is judged at now.</param>
    /// <param name="problem">Why the file was replaced, when it was damaged.</param>
    public CommandLedger(string path, DateTimeOffset expiryNow, out string? problem)
    {
        _path = path;
        var file = TrustFile.Read(path, TrustJsonContext.Default.CommandLedgerFile, out problem);
        if (file is null)
        {
            _history = problem is null ? CommandHistory.Empty : CommandHistory.Empty with { StartsAt = expiryNow };
            return;
        }

        var admitted = new Dictionary<string, AdmittedCommand>(StringComparer.Ordinal);
        foreach (var entry in file.Commands ?? [])
        {
            admitted[entry.Nonce] = new AdmittedCommand(entry.Nonce, entry.ExpiresAt, entry.AdmittedAt, entry.Reply is not null);
            if (entry.Reply is { } reply)
            {
                _replies[entry.Nonce] = reply;
            }
        }

        _history = new CommandHistory(admitted, file.ForgottenThrough, file.StartsAt);
    }

    /// <summary>What is remembered now.</summary>
    public CommandHistory History
    {
        get
        {
            lock (_gate)
            {
                return _history;
            }
        }
    }

    /// <summary>
    /// Applies the replay rule to a command and, when it is new, records it durably before returning (dropping the
    /// nonces of commands expired at <paramref name="expiryNow"/>).
    /// </summary>
    /// <returns>Null when admitted and recorded; the refusal when it is a replay.</returns>
    /// <exception cref="IOException">The record could not be written (a full disk): the command must not be carried out, since a replay could not be told apart later.</exception>
    public Refusal? TryAdmit(DeviceCommand command, DateTimeOffset now, DateTimeOffset expiryNow)
    {
        ArgumentNullException.ThrowIfNull(command);
        lock (_gate)
        {
            if (CommandReplay.Check(_history, command.Nonce, command.IssuedAt, command.ExpiresAt, command.Version ?? 0) is { } replayed)
            {
                return replayed;
            }

            var next = CommandReplay.Admit(CommandReplay.Prune(_history, expiryNow), command.Nonce, command.ExpiresAt, now);
            Save(next);
            _history = next;
            return null;
        }
    }

    /// <summary>Records the reply sent for <paramref name="nonce"/> (the answer to every later copy). A failed write is reported, the reply still goes out.</summary>
    /// <exception cref="IOException">The record could not be written.</exception>
    public void Answer(string nonce, CommandReply reply)
    {
        lock (_gate)
        {
            if (!_history.Admitted.TryGetValue(nonce, out var admitted))
            {
                return;
            }

            _replies[nonce] = JsonSerializer.SerializeToElement(reply, CommandJsonContext.Default.CommandReply);
            var next = _history with { Admitted = new Dictionary<string, AdmittedCommand>(_history.Admitted, StringComparer.Ordinal) { [nonce] = admitted with { Answered = true } } };
            _history = next;
            Save(next);
        }
    }

    /// <summary>The first reply sent for <paramref name="nonce"/>, or null when none was recorded.</summary>
    public CommandReply? FirstReply(string nonce)
    {
        lock (_gate)
        {
            return _replies.TryGetValue(nonce, out var reply) ? reply.Deserialize(CommandJsonContext.Default.CommandReply) : null;
        }
    }

    private void Save(CommandHistory history)
    {
        foreach (var nonce in _replies.Keys.Where(n => !history.Admitted.ContainsKey(n)).ToList())
        {
            _replies.Remove(nonce);
        }

        var entries = history.Admitted.Values
            .OrderBy(c => c.AdmittedAt)
            .Select(c => new CommandLedgerEntry(c.Nonce, c.ExpiresAt, c.AdmittedAt, _replies.TryGetValue(c.Nonce, out var reply) ? reply : null))
            .ToList();
        TrustFile.Write(_path, new CommandLedgerFile(history.ForgottenThrough, history.StartsAt, entries), TrustJsonContext.Default.CommandLedgerFile);
    }
}
