namespace EdgeRuntime.Core.Delivery;

/// <summary>A manifest as it arrived on a model's topic: which signed document it is, what its signature check found, and — when that passed and it parsed — what it offers.</summary>
/// <param name="Model">The model of the topic it came on.</param>
/// <param name="EnvelopeId">The sha256 of the envelope's bytes: the same signed document, however often the broker sends it.</param>
/// <param name="Verdict">The signature check.</param>
/// <param name="Problem">Why the check or the parse failed, in one line (null when accepted and parsed).</param>
/// <param name="Offer">The manifest's facts; null when the signature or the document was refused.</param>
/// <param name="TopicVersion">The version level of the topic it came on (<c>{model}/{version}/manifest</c>); null for the model's latest topic.</param>
public sealed record SignedOffer(string Model, string EnvelopeId, SignatureVerdict Verdict, string? Problem, OfferedVersion? Offer, long? TopicVersion = null)
{
    /// <summary>The offered version, or 0 when none could be read.</summary>
    public long Version => Offer?.Version ?? 0;
}
