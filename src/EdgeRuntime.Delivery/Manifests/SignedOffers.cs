using System.Security.Cryptography;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Manifests;

/// <summary>Turns a manifest envelope as it arrived into the planner's terms: which signed document, its verdict, its facts.</summary>
public static class SignedOffers
{
    /// <summary>Opens <paramref name="envelope"/> (from <paramref name="model"/>'s topic) against <paramref name="trusted"/>.</summary>
    /// <returns>The offer for the planner, and the manifest (chunk hashes, URL) when it was accepted and parsed.</returns>
    public static (SignedOffer Offer, ModelManifest? Manifest) Read(string model, ReadOnlySpan<byte> envelope, TrustedKeys trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        var id = Convert.ToHexStringLower(SHA256.HashData(envelope));
        var check = SignedEnvelope.Open(envelope, trusted);
        if (!check.IsAccepted)
        {
            return (new SignedOffer(model, id, check.Verdict, check.Problem, null), null);
        }

        var manifest = ModelManifestJson.Parse(check.Document.Span, out var problem);
        return manifest is null
            ? (new SignedOffer(model, id, SignatureVerdict.Accepted, problem, null), null)
            : (new SignedOffer(model, id, SignatureVerdict.Accepted, null, manifest.ToOffer()), manifest);
    }
}
