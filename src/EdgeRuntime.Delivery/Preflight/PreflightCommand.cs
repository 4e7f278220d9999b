namespace EdgeRuntime.Delivery.Preflight;

/// <summary>
/// How to start the pre-flight process: an executable and the arguments that come before the model path
/// (for the daemon: itself with the <c>preflight</c> verb).
/// </summary>
/// <param name="FileName">The executable.</param>
/// <param name="LeadingArguments">Arguments before the model path.</param>
public sealed record PreflightCommand(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>The running program itself with <paramref name="verb"/>, whether started as an apphost or as <c>dotnet x.dll</c>.</summary>
    public static PreflightCommand Self(string verb)
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running program is unknown");
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 }
            ? new PreflightCommand(process, [entry, verb])
            : new PreflightCommand(process, [verb]);
    }
}
