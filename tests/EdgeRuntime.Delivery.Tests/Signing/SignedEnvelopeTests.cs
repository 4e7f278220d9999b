using System.Text;
using System.Text.Json.Nodes;
using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Tests.Signing;

public sealed class SignedEnvelopeTests
{
    private static readonly byte[] Document = Encoding.UTF8.GetBytes("""{"type":"model-manifest","name":"traffic"}""");

    [Fact]
    public void Open_SignedByTrustedKey_ReturnsTheExactBytes()
    {
        using var key = SigningKey.Create();
        using var trusted = TrustedKeys.Of(key);
        var check = SignedEnvelope.Open(SignedEnvelope.Sign(Document, key).ToBytes(), trusted);
        Assert.True(check.IsAccepted, check.Problem);
        Assert.Equal(key.Id, check.KeyId);
        Assert.Equal(Document, check.Document.ToArray());
    }

    [Fact]
    public void Open_PayloadChangedAfterSigning_IsRefusedAsBadSignature()
    {
        using var key = SigningKey.Create();
        using var trusted = TrustedKeys.Of(key);
        var envelope = JsonNode.Parse(SignedEnvelope.Sign(Document, key).ToBytes())!;
        var tampered = Document.ToArray();
        tampered[^3] ^= 1;
        envelope["payload"] = Convert.ToBase64String(tampered);
        var check = SignedEnvelope.Open(Encoding.UTF8.GetBytes(envelope.ToJsonString()), trusted);
        Assert.False(check.IsAccepted);
        Assert.Equal($"bad signature (key {key.Id})", check.Problem);
    }

    [Fact]
    public void Open_SignedByAnotherKey_IsRefusedAsUnknownKey()
    {
        using var fleet = SigningKey.Create();
        using var stranger = SigningKey.Create();
        using var trusted = TrustedKeys.Of(fleet);
        var check = SignedEnvelope.Open(SignedEnvelope.Sign(Document, stranger).ToBytes(), trusted);
        Assert.Equal($"signed by unknown key {stranger.Id}", check.Problem);
    }

    [Fact]
    public void Open_ForgedKeyIdWithAnotherKeysSignature_IsRefused()
    {
        using var fleet = SigningKey.Create();
        using var stranger = SigningKey.Create();
        using var trusted = TrustedKeys.Of(fleet);
        var envelope = SignedEnvelope.Sign(Document, stranger) with { KeyId = fleet.Id };
        Assert.Equal($"bad signature (key {fleet.Id})", SignedEnvelope.Open(envelope.ToBytes(), trusted).Problem);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{}")]
    [InlineData("""{"format":"edge-signed/9","keyId":"a","payload":"AA==","signature":"AA=="}""")]
    [InlineData("""{"format":"edge-signed/1","keyId":"a","payload":"%%%","signature":"AA=="}""")]
    public void Open_MalformedEnvelope_IsRefusedWithAReason(string text)
    {
        using var key = SigningKey.Create();
        using var trusted = TrustedKeys.Of(key);
        var check = SignedEnvelope.Open(Encoding.UTF8.GetBytes(text), trusted);
        Assert.False(check.IsAccepted);
        Assert.False(string.IsNullOrWhiteSpace(check.Problem));
        Assert.DoesNotContain('\n', check.Problem);
    }

    [Fact]
    public void UnknownKey_WithAHugeKeyId_IsQuotedShortly()
    {
        using var key = SigningKey.Create();
        using var keys = TrustedKeys.Of(key);
        var forged = new string('A', 300_000);

        var (verdict, problem) = keys.Verify(forged, [1, 2, 3], [4, 5, 6]);

        Assert.Equal(Core.Delivery.SignatureVerdict.UnknownKey, verdict);
        Assert.True(problem!.Length < 120, $"a {problem.Length}-character refusal");
        Assert.EndsWith("… (300000 characters)", problem, StringComparison.Ordinal);
    }
}
