using System.Reflection;
using Xunit;

namespace EdgeRuntime.Testing;

/// <summary>Where the tests run: CI or a developer's machine, and where the repository's parts are.</summary>
public static class TestEnvironment
{
    /// <summary>True under CI (CI=true): missing tools and shared models fail tests instead of skipping them.</summary>
    public static bool IsCI { get; } = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static readonly Lazy<string?> Root = new(FindRepositoryRoot);

    /// <summary>The repository root (the folder holding EdgeRuntime.sln).</summary>
    /// <exception cref="InvalidOperationException">The tests run outside a checkout (a packed, self-contained test executable).</exception>
    public static string RepositoryRoot => Root.Value ?? throw new InvalidOperationException($"EdgeRuntime.sln not found above {AppContext.BaseDirectory}");

    /// <summary>The repository root, or null where the tests run outside a checkout (deploy/gpu packs them).</summary>
    public static string? RepositoryRootIfAny => Root.Value;

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

    private static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EdgeRuntime.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
