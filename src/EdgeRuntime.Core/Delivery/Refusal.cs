namespace EdgeRuntime.Core.Delivery;

/// <summary>A refusal or failure as a value: its code, the version it concerns, and one line for people.</summary>
/// <param name="Code">The machine-readable reason.</param>
/// <param name="Version">The version it is about (0: not known, e.g. a manifest whose signature failed).</param>
/// <param name="Message">One line that names the thing and the reason.</param>
/// <param name="Retryable">
/// True when the same signed offer may succeed later without the fleet acting (space returns, a web server comes back,
/// a damaged file can be fetched again); false when it is refused for good.
/// </param>
public sealed record Refusal(RefusalCode Code, long Version, string Message, bool Retryable = false)
{
    /// <summary>The code in its published form (<c>chunk-missing</c>).</summary>
    public string CodeName => RefusalCodes.Name(Code);
}
