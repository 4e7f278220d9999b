using System.Reflection;
using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Delivery;

/// <summary>The published (kebab-case) names of <see cref="RefusalCode"/>.</summary>
public static class RefusalCodes
{
    private static readonly Dictionary<RefusalCode, string> Names = Enum.GetValues<RefusalCode>().ToDictionary(
        code => code,
        code => typeof(RefusalCode).GetField(code.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()!.Name);

    /// <summary>The name <paramref name="code"/> is published under.</summary>
    public static string Name(RefusalCode code) => Names[code];

    /// <summary>
    /// Whether a failure with <paramref name="code"/> may go away without the fleet acting — space returns, a web server
    /// comes back, a damaged file is fetched again, a fault in the daemon itself passes — so the same signed offer is
    /// tried again after a delay. Every other code refuses that signed offer for good (a new publish is considered afresh).
    /// </summary>
    public static bool IsRetryable(RefusalCode code) => code is RefusalCode.DiskFull
        or RefusalCode.SourceUnavailable
        or RefusalCode.StoreDamaged
        or RefusalCode.InternalError
        or RefusalCode.ChunkMissing
        or RefusalCode.Stalled
        or RefusalCode.TimedOut;
}
