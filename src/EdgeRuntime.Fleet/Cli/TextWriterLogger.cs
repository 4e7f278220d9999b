using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Fleet.Cli;

/// <summary>A logger for long-running verbs (the aggregator): one line per event at Information and above, "HH:mm:ss level message".</summary>
internal sealed class TextWriterLogger(TextWriter writer, TimeProvider timeProvider, LogLevel minimum = LogLevel.Information) : ILogger
{
    private readonly Lock _gate = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var level = logLevel switch
        {
            LogLevel.Warning => "warn",
            LogLevel.Error or LogLevel.Critical => "error",
            _ => "info",
        };
        lock (_gate)
        {
            writer.WriteLine($"{timeProvider.GetUtcNow():HH:mm:ss} {level} {formatter(state, exception)}{(exception is null ? string.Empty : $": {exception.Message}")}");
            writer.Flush();
        }
    }
}
