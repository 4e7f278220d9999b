namespace EdgeRuntime.Core.Planning;

/// <summary>Whether one execution provider loads on this device.</summary>
/// <param name="Provider">Which provider.</param>
/// <param name="Available">Whether a session could use it.</param>
/// <param name="Reason">Why not, in one line, when it cannot; null when it can.</param>
public sealed record ProviderAvailability(ExecutionProvider Provider, bool Available, string? Reason);
