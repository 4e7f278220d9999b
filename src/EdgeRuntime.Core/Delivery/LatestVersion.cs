namespace EdgeRuntime.Core.Delivery;

/// <summary>
/// The fleet's short-lived signed statement of which manifest is a model's latest (the role TUF's timestamp plays):
/// re-signed on a schedule, so a device that sees only expired statements knows the latest topic may be frozen at an
/// old version and does not install from it.
/// </summary>
/// <param name="Name">The model it is about (it must be the topic's).</param>
/// <param name="Version">The latest version.</param>
/// <param name="ManifestSha256">The sha256 (lower-case hex) of that version's signed manifest document: the envelope's decoded payload.</param>
/// <param name="CreatedAt">When the fleet signed it.</param>
/// <param name="ExpiresAt">After this it no longer vouches for anything.</param>
public sealed record LatestVersion(string Name, long Version, string ManifestSha256, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>A latest statement as it arrived on a model's topic, with what its signature check found.</summary>
/// <param name="Model">The model of the topic it came on.</param>
/// <param name="EnvelopeId">The sha256 of the envelope's bytes.</param>
/// <param name="Verdict">The signature check.</param>
/// <param name="Problem">Why the check or the parse failed, in one line (null when accepted and parsed).</param>
/// <param name="Statement">The statement's facts; null when refused.</param>
public sealed record SignedLatest(string Model, string EnvelopeId, SignatureVerdict Verdict, string? Problem, LatestVersion? Statement);
