namespace EdgeRuntime.Delivery.Preflight;

/// <summary>The outcome of a pre-flight check.</summary>
/// <param name="Passed">Whether the model loaded and ran on sample inputs.</param>
/// <param name="Problem">Why not, in one line (null when passed).</param>
/// <param name="PeakMemoryBytes">The largest resident size seen for the process.</param>
/// <param name="Elapsed">How long the check took.</param>
/// <param name="Report">The child's last output line (its JSON report when it passed).</param>
public sealed record PreflightResult(bool Passed, string? Problem, long PeakMemoryBytes, TimeSpan Elapsed, string? Report);
