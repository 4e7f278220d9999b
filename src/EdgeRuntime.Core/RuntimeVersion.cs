using System.Reflection;

namespace EdgeRuntime.Core;

/// <summary>The EdgeRuntime version this build carries, as reported in status and by the tools.</summary>
public static class RuntimeVersion
{
    /// <summary>The informational version (semantic version plus the commit, when the build knows it).</summary>
    public static string Current { get; } =
        typeof(RuntimeVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(RuntimeVersion).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";
}
