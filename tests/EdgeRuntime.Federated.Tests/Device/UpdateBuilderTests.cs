using EdgeRuntime.Core.Compute;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Kernels.Accelerators;

namespace EdgeRuntime.Federated.Tests.Device;

public sealed class UpdateBuilderTests : IDisposable
{
    private static readonly ParameterLayout Layout = new([("w", 600), ("b", 3)]);
    private readonly KernelAccelerator _accelerator = KernelAccelerator.Create(KernelPreference.Cpu);
    private readonly DeviceKey _key = DeviceKey.Create();

    public void Dispose()
    {
        _accelerator.Dispose();
        _key.Dispose();
    }

    private static UpdateRequest Request(float[] start, float[] trained, int n = 1) =>
        new($"dev-u{n}", "traffic", 4, "dev", 120, new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero), Layout, start, trained);

    private static (float[] Start, float[] Trained) Pair(int seed, double scale)
    {
        var random = new Random(seed);
        var start = Enumerable.Range(0, Layout.Length).Select(_ => (float)random.NextDouble()).ToArray();
        var trained = start.Select(v => v + (float)(scale * (random.NextDouble() - 0.5))).ToArray();
        return (start, trained);
    }

    [Fact]
    public void Build_Quantized8_DecodesWithinHalfAStepPerBlockAndVerifiesWithTheEnrolledKey()
    {
        var (start, trained) = Pair(1, 0.01);
        var built = new UpdateBuilder(_accelerator).Build(Request(start, trained), new UpdateOptions { ClipNorm = 100, Encoding = UpdateEncoding.Quantized8 }, DeviceUpdateState.Empty, _key, GaussianNoise.Seeded(1));

        var parts = UpdateCodec.Split(built.Bytes);
        var decoded = UpdateCodec.DecodeBody(parts.Header, parts.Body.Span);
        using var enrolled = EnrolledDevices.Of([("dev", _key.PublicKeyPem)]);

        Assert.Null(enrolled.Check("dev", parts.KeyId, parts.SignedPart.Span, parts.Signature.Span));
        Assert.Equal(4, parts.Header.BaseVersion);
        Assert.Equal(120, parts.Header.Samples);
        for (var i = 0; i < decoded.Length; i++)
        {
            // A block's scale is max|x|/127, so rounding is off by at most half of 0.005/127.
            Assert.InRange(decoded[i] - (trained[i] - start[i]), -0.0051 / 254, 0.0051 / 254);
        }
    }

    [Fact]
    public void Build_TamperedBody_FailsTheSignatureCheck()
    {
        var (start, trained) = Pair(2, 0.01);
        var bytes = new UpdateBuilder(_accelerator).Build(Request(start, trained), new UpdateOptions(), DeviceUpdateState.Empty, _key, GaussianNoise.Seeded(1)).Bytes;
        bytes[bytes.Length / 2] ^= 1; // inside the body, before the signature trailer
        using var enrolled = EnrolledDevices.Of([("dev", _key.PublicKeyPem)]);
        using var other = DeviceKey.Create();
        using var impostor = EnrolledDevices.Of([("dev", other.PublicKeyPem)]);

        var parts = UpdateCodec.Split(bytes);

        Assert.Equal("bad signature", enrolled.Check("dev", parts.KeyId, parts.SignedPart.Span, parts.Signature.Span));
        Assert.NotNull(impostor.Check("dev", parts.KeyId, parts.SignedPart.Span, parts.Signature.Span));
        Assert.NotNull(enrolled.Check("someone-else", parts.KeyId, parts.SignedPart.Span, parts.Signature.Span));
    }

    [Fact]
    public void Build_LargeChange_ClippedToTheL2Bound()
    {
        var (start, trained) = Pair(3, 10);
        var built = new UpdateBuilder(_accelerator).Build(Request(start, trained), new UpdateOptions { ClipNorm = 0.5, Encoding = UpdateEncoding.Float32 }, DeviceUpdateState.Empty, _key, GaussianNoise.Seeded(1));

        var parts = UpdateCodec.Split(built.Bytes);
        var norm = Math.Sqrt(UpdateCodec.DecodeBody(parts.Header, parts.Body.Span).Sum(x => (double)x * x));

        Assert.True(built.NormBeforeClip > 10);
        Assert.Equal(0.5, norm, 4);
    }

    [Fact]
    public void Build_TopKWithErrorFeedback_SendsEverythingOverRounds()
    {
        // The same change each round; top-10% sends only part of it, the residual carries the rest into the next
        // round, so the sum of what was sent tracks the sum of the true changes (Karimireddy et al. 2019).
        var (start, trained) = Pair(4, 0.01);
        var truth = trained.Select((v, i) => v - start[i]).ToArray();
        var options = new UpdateOptions { ClipNorm = 100, Encoding = UpdateEncoding.TopKQuantized8, TopKFraction = 0.1 };
        var builder = new UpdateBuilder(_accelerator);
        var state = DeviceUpdateState.Empty;
        var sent = new double[Layout.Length];
        const int Rounds = 30;
        for (var r = 1; r <= Rounds; r++)
        {
            var built = builder.Build(Request(start, trained, r), options, state, _key, GaussianNoise.Seeded(r));
            state = built.State;
            var parts = UpdateCodec.Split(built.Bytes);
            var decoded = UpdateCodec.DecodeBody(parts.Header, parts.Body.Span);
            for (var i = 0; i < sent.Length; i++)
            {
                sent[i] += decoded[i];
            }
        }

        // What is still owed is the residual alone, bounded — not growing with the rounds.
        var owed = sent.Select((s, i) => (Rounds * truth[i]) - s).ToArray();
        var worst = owed.Max(Math.Abs);
        Assert.True(worst < 0.05, $"largest unsent amount {worst}");
        Assert.Equal(Rounds, state.Updates);

        // Without error feedback, 90% of each round's change is simply lost.
        var lossy = builder.Build(Request(start, trained), options with { ErrorFeedback = false }, DeviceUpdateState.Empty, _key, GaussianNoise.Seeded(1));
        var lossyParts = UpdateCodec.Split(lossy.Bytes);
        Assert.True(UpdateCodec.DecodeBody(lossyParts.Header, lossyParts.Body.Span).Count(x => x != 0) <= (int)Math.Ceiling(0.1 * Layout.Length) + 1);
    }

    [Fact]
    public void Build_WithNoise_AccountsPrivacyPerRelease()
    {
        var (start, trained) = Pair(5, 0.01);
        var builder = new UpdateBuilder(_accelerator);
        var options = new UpdateOptions { ClipNorm = 1, NoiseMultiplier = 1.1 };

        var first = builder.Build(Request(start, trained, 1), options, DeviceUpdateState.Empty, _key, GaussianNoise.Seeded(1));
        var second = builder.Build(Request(start, trained, 2), options, first.State, _key, GaussianNoise.Seeded(2));

        Assert.Equal(2, second.State.Privacy.Releases);
        Assert.True(second.State.Privacy.Epsilon(1e-5) > first.State.Privacy.Epsilon(1e-5));
        Assert.Equal(0, builder.Build(Request(start, trained, 3), options with { NoiseMultiplier = 0 }, DeviceUpdateState.Empty, _key, GaussianNoise.Seeded(1)).State.Privacy.Releases);
    }

    [Fact]
    public void Build_LayoutMismatch_ThrowsNamingTheModel()
    {
        var ex = Assert.Throws<ArgumentException>(() => new UpdateBuilder(_accelerator).Build(Request([1f], [2f]), new UpdateOptions(), DeviceUpdateState.Empty, _key, GaussianNoise.Seeded(1)));

        Assert.Contains("traffic", ex.Message, StringComparison.Ordinal);
    }
}
