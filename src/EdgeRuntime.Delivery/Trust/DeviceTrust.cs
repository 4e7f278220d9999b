using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Trust;

/// <summary>
/// What the device keeps, across restarts, to judge signed documents beyond their signature — in <c>{state}/trust/</c>,
/// apart from the model store, each file replaced atomically (fsync + rename):
/// <code>
/// commands.json     admitted command nonces until their expiry, with their first replies (replay protection)
/// versions.json     the highest version put into service per model (anti-rollback)
/// signed-time.json  the newest signed creation time seen (expiry floor, clock check)
/// </code>
/// A damaged file is reported in one line and replaced: the command record restarts refusing commands issued before
/// that moment, the version floors are restored from the store, the time floor returns with the next signed document.
/// The clock's standing goes to the <see cref="ClockStatusBoard"/> and, when it changes, to one log line. Thread-safe.
/// </summary>
public sealed partial class DeviceTrust
{
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private ClockState? _lastState;

    /// <summary>Opens (or starts) the trust state in <paramref name="directory"/>.</summary>
    /// <param name="directory">The folder (<c>trust</c> in the state directory); created with the first write.</param>
    /// <param name="clock">The device clock.</param>
    /// <param name="logger">Where damaged files and clock changes are reported.</param>
    /// <param name="board">Where the clock's standing is shown (the status); null: a board of its own.</param>
    public DeviceTrust(string directory, TimeProvider clock, ILogger logger, ClockStatusBoard? board = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Directory = Path.GetFullPath(directory);
        _clock = clock;
        _logger = logger;
        Board = board ?? new ClockStatusBoard();
        SignedTime = new SignedTimeLedger(Path.Combine(Directory, "signed-time.json"), out var timeProblem);
        Versions = new VersionFloors(Path.Combine(Directory, "versions.json"), out var versionsProblem);
        Commands = new CommandLedger(Path.Combine(Directory, "commands.json"), Core.Delivery.SignedTime.ExpiryNow(clock.GetUtcNow(), SignedTime.Floor), out var commandsProblem);
        foreach (var problem in new[] { timeProblem, versionsProblem, commandsProblem }.OfType<string>())
        {
            LogDamaged(logger, problem);
        }

        ReportClock();
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>Admitted commands.</summary>
    public CommandLedger Commands { get; }

    /// <summary>Anti-rollback floors.</summary>
    public VersionFloors Versions { get; }

    /// <summary>The newest signed time.</summary>
    public SignedTimeLedger SignedTime { get; }

    /// <summary>Where the clock's standing is shown.</summary>
    public ClockStatusBoard Board { get; }

    /// <summary>The time expiry is judged at now: the device clock, or the newest signed time when the clock is behind it.</summary>
    public DateTimeOffset ExpiryNow => Core.Delivery.SignedTime.ExpiryNow(_clock.GetUtcNow(), SignedTime.Floor);

    /// <summary>
    /// Takes the times of a signed document whose signature was accepted into account (manifests, statements, commands):
    /// raises the floor when it is the newest, and reports the clock when its standing changed.
    /// </summary>
    public void Observe(DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        try
        {
            if (SignedTime.Observe(createdAt, expiresAt, _clock.GetUtcNow()))
            {
                ReportClock();
            }
        }
        catch (IOException ex)
        {
            LogNotRecorded(_logger, "the newest signed time", ex.Message);
            ReportClock();
        }
    }

    /// <summary>Puts the newest signed time on the board; logs one line when the clock's standing changed.</summary>
    public void ReportClock()
    {
        if (SignedTime.Mark is not { } mark || Core.Delivery.SignedTime.Judge(mark, _clock.GetUtcNow()) is not { } reading)
        {
            return;
        }

        Board.Report(mark);
        if (_lastState != reading.State)
        {
            _lastState = reading.State;
            if (reading.State == ClockState.Ok)
            {
                LogClockOk(_logger, reading.NewestSignedAt);
            }
            else
            {
                LogClockWrong(_logger, reading.Detail!);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trust state: {Problem}; replaced")]
    private static partial void LogDamaged(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trust state: {What} could not be recorded: {Reason}")]
    private static partial void LogNotRecorded(ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Detail}")]
    private static partial void LogClockWrong(ILogger logger, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Clock: consistent with the newest signed document ({NewestSignedAt:u})")]
    private static partial void LogClockOk(ILogger logger, DateTimeOffset newestSignedAt);
}
