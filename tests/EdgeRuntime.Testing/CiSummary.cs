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

        lock (Gate)
        {
            // O_APPEND: the test processes that run side by side each add whole lines.
            File.AppendAllText(path, line.ReplaceLineEndings(" ") + Environment.NewLine);
        }
    }
}
