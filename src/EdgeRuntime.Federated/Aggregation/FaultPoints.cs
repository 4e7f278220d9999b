namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// A test seam for crash tests: with <c>EDGE_FAULT_PAUSE</c> naming a point, a process that reaches it prints
/// <c>fault-point NAME reached</c> on standard error and waits forever, so a test can kill -9 it exactly there (in the
/// middle of an aggregation, between the version file and its commit). Unset, reaching a point costs one comparison.
/// </summary>
public static class FaultPoints
{
    /// <summary>After a new version's file is written and verified, before the transaction that makes it the current version.</summary>
    public const string BeforeVersionCommit = "before-version-commit";

    private static readonly string? Paused = Environment.GetEnvironmentVariable("EDGE_FAULT_PAUSE");

    /// <summary>Pauses here forever when the environment names <paramref name="point"/>.</summary>
    public static void Reach(string point)
    {
        if (Paused is null || !string.Equals(Paused, point, StringComparison.Ordinal))
        {
            return;
        }

        Console.Error.WriteLine($"fault-point {point} reached");
        Console.Error.Flush();
        using var never = new ManualResetEventSlim();
        never.Wait();
    }
}
