namespace EdgeRuntime.Testing;

/// <summary>The executables the solution builds, for tests that start them as real processes.</summary>
public static class EdgeRuntimeBinaries
{
    /// <summary>The daemon assembly the Worker project built (its configs/ folder beside it); run it with <c>dotnet</c>.</summary>
    public static string Daemon => Path.Combine(
        TestEnvironment.RepositoryRoot, "src", "EdgeRuntime.Worker", "bin", TestEnvironment.Configuration, "net10.0", "edge-runtime.dll");

    /// <summary>The edgectl assembly the Fleet project built; run it with <c>dotnet</c>.</summary>
    public static string Edgectl => Path.Combine(
        TestEnvironment.RepositoryRoot, "src", "EdgeRuntime.Fleet", "bin", TestEnvironment.Configuration, "net10.0", "edgectl.dll");
}
