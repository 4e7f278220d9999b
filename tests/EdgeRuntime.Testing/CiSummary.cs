using Xunit;

namespace EdgeRuntime.Testing;

/// <summary>
/// Lines that CI prints after the test run: <c>.ci/run</c> names a file in <c>TEST_SUMMARY</c> and prints it at the end,
/// since a test run shows the output of failed tests only. Used for the delivery fault campaigns' tallies and for
/// anything a passing test had to work around (a port taken by another process before the daemon could bind it).
/// </summary>
public static class CiSummary
{
    private static readonly Lock Gate = new();

    /// <summary>
    /// Something a test worked around: written to the test's output and, named after the test, to the summary file.
    /// </summary>
    public static void Report(string what)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(what);
        Append($"{TestContext.Current.Test?.TestDisplayName ?? "a test"}: {what}");
    }

    /// <summary>Appends <paramref name="line"/> to the summary file when there is one; does nothing otherwise.</summary>
    public static void Append(string line)
    {
        if (Environment.GetEnvironmentVariable("TEST_SUMMARY") is not { Length: > 0 } path)
        {
            return;
        }

        // FileMode.Append is not O_APPEND on Unix (.NET seeks to the end once, at open): three processes appending 3000
        // lines each at once kept 8082, 21 of them torn. FileShare.None takes an exclusive flock, which the other test
        // processes' opens wait out here.
        var bytes = System.Text.Encoding.UTF8.GetBytes(line.ReplaceLineEndings(" ") + Environment.NewLine);
        lock (Gate)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
                    stream.Write(bytes);
                    return;
                }
                catch (IOException) when (attempt < 1000)
                {
                    Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System).GetAwaiter().GetResult();
                }
            }
        }
    }
}
