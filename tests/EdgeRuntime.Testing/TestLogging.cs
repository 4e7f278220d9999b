using Microsoft.Extensions.Logging;
using Xunit;

namespace EdgeRuntime.Testing;

/// <summary>Loggers that write into the running test's output (shown when the test fails).</summary>
public static class TestLogging
{
    /// <summary>A logger factory bound to the current test.</summary>
    public static ILoggerFactory Factory { get; } = new TestOutputLoggerFactory();

    /// <summary>A logger for <typeparamref name="T"/> bound to the current test.</summary>
    public static ILogger<T> For<T>() => Factory.CreateLogger<T>();

    private sealed class TestOutputLoggerFactory : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => new TestOutputLogger(categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class TestOutputLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var output = TestContext.Current.TestOutputHelper;
            if (output is null)
            {
                return;
            }

            try
            {
                var time = TimeProvider.System.GetUtcNow().ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
                output.WriteLine($"{time} {logLevel,-11} {category.Split('.')[^1]}: {formatter(state, exception)}{(exception is null ? string.Empty : $" | {exception.GetType().Name}: {exception.Message}")}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; late log lines from background tasks have nowhere to go.
            }
        }
    }
}
