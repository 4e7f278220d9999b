using System.CommandLine;

namespace EdgeRuntime.Fleet.Cli;

/// <summary>Old option spellings that still work, and the one line each prints when used.</summary>
internal static class Deprecations
{
    private static readonly (string Old, string New)[] Renamed = [("--ca-file", "--cafile")];

    /// <summary>Writes a deprecation line to <paramref name="error"/> for each old spelling on the command line.</summary>
    public static void Warn(ParseResult parseResult, TextWriter error)
    {
        foreach (var (old, replacement) in Renamed)
        {
            if (parseResult.Tokens.Any(t => t.Value == old || t.Value.StartsWith(old + "=", StringComparison.Ordinal)))
            {
                error.WriteLine($"edgectl: {old} is deprecated; use {replacement}");
            }
        }
    }
}
