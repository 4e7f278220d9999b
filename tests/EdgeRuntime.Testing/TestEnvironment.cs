using System.Reflection;
using Xunit;

namespace EdgeRuntime.Testing;

/// <summary>Where the tests run: CI or a developer's machine, and where the repository's parts are.</summary>
public static class TestEnvironment
{
    /// <summary>True under CI (CI=true): missing tools and shared models fail tests instead of skipping them.</summary>
    public static bool IsCI { get; } = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The repository root (the folder holding EdgeRuntime.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The build configuration the tests were built with (Debug or Release).</summary>
    public static string Configuration { get; } =
        Assembly.GetExecutingAssembly().GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>
    /// Skips the calling test with <paramref name="reason"/> on a developer's machine; fails it under CI,
    /// where everything the suite needs must be present.
    /// </summary>
    public static void SkipOrFail(string reason)
    {
        if (IsCI)
        {
            Assert.Fail($"{reason} (CI=true: this is required)");
        }

        Assert.Skip(reason);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EdgeRuntime.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"EdgeRuntime.sln not found above {AppContext.BaseDirectory}");
    }
}
