using System.Security.Cryptography;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Manifests;

/// <summary>Turns manifest and latest-statement envelopes as they arrived into the planner's terms: which signed document, its verdict, its facts.</summary>
public static class SignedOffers
{
    /// <summary>Opens <paramref name="envelope"/>, which came on <paramref name="model"/>'s latest topic (<paramref name="topicVersion"/> null) or on one version's topic, against <paramref name="trusted"/>.</summary>
    /// <returns>The offer for the planner, and the manifest (chunk hashes, URL, creation time) when it was accepted and parsed.</returns>
    public static (SignedOffer Offer, ModelManifest? Manifest) Read(string model, long? topicVersion, ReadOnlySpan<byte> envelope, TrustedKeys trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        var id = Convert.ToHexStringLower(SHA256.HashData(envelope));
        var check = SignedEnvelope.Open(envelope, trusted);
        if (!check.IsAccepted)
        {
            return (new SignedOffer(model, id, check.Verdict, check.Problem, null, topicVersion), null);
        }

        var manifest = ModelManifestJson.Parse(check.Document.Span, out var problem);
        return manifest is null
            ? (new SignedOffer(model, id, SignatureVerdict.Accepted, problem, null, topicVersion), null)
            : (new SignedOffer(model, id, SignatureVerdict.Accepted, null, manifest.ToOffer(Convert.ToHexStringLower(SHA256.HashData(check.Document.Span))), topicVersion), manifest);
    }

    /// <summary>Opens a latest statement that came on <paramref name="model"/>'s statement topic.</summary>
    /// <returns>The statement for the planner, and the document when it was accepted and parsed.</returns>
    public static (SignedLatest Latest, LatestStatement? Statement) ReadLatest(string model, ReadOnlySpan<byte> envelope, TrustedKeys trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        var id = Convert.ToHexStringLower(SHA256.HashData(envelope));
        var check = SignedEnvelope.Open(envelope, trusted);
        if (!check.IsAccepted)
        {
            return (new SignedLatest(model, id, check.Verdict, check.Problem, null), null);
        }

        var statement = LatestStatement.Parse(check.Document.Span, out var problem);
        return statement is null
            ? (new SignedLatest(model, id, SignatureVerdict.Accepted, problem, null), null)
            : (new SignedLatest(model, id, SignatureVerdict.Accepted, null, statement.ToLatest()), statement);
    }
}
