namespace EdgeRuntime.Core.Delivery;

/// <summary>A retryable failure of a signed offer the device remembers, so that it tries again later rather than at once.</summary>
/// <param name="EnvelopeId">The signed document that failed.</param>
/// <param name="Refusal">How it failed.</param>
/// <param name="At">When.</param>
/// <param name="Attempts">Failures of this document so far.</param>
/// <param name="FreeBytesAtFailure">The file system's free space at the time (a disk-full failure is retried as soon as there is more).</param>
public sealed record PastFailure(string EnvelopeId, Refusal Refusal, DateTimeOffset At, int Attempts, long FreeBytesAtFailure);
