using EdgeRuntime.Inference.Planning;

namespace EdgeRuntime.Inference.Tests.Planning;

/// <summary>
/// Our dynamic int8 pass on a real transformer, judged the way its users judge it: sentence embeddings of 289 natural
/// English sentences (Planning/Data/sentences.txt) from the int8 model against the float32 model's. Thresholds are
/// issue 16's: mean cosine ≥ 0.98, 1st percentile ≥ 0.95.
/// </summary>
public sealed class MiniLmInt8QualityTests(ITestOutputHelper output)
{
    [Fact]
    public void Int8Dynamic_NaturalSentences_EmbeddingsStayWithinCosineTargets()
    {
        var sentences = MiniLmEmbedder.Sentences(Path.Combine(AppContext.BaseDirectory, "Planning", "Data", "sentences.txt"));
        var tokenizer = MiniLmEmbedder.Tokenizer();
        var fp32 = MiniLmEmbedder.Float32Model();
        var (int8, quantised) = MiniLmEmbedder.Int8Dynamic(fp32, DeviceProbe.Current.Int8NeedsReducedRange);
        using var reference = new MiniLmEmbedder(fp32, tokenizer);
        using var candidate = new MiniLmEmbedder(int8, tokenizer);

        var cosines = sentences.Select(s => MiniLmEmbedder.Cosine(reference.Embed(s), candidate.Embed(s))).ToList();

        var mean = cosines.Average();
        var p1 = MiniLmEmbedder.Quantile(cosines, 0.01);
        output.WriteLine($"{quantised} MatMul in int8; {sentences.Count} sentences: mean cosine {mean:F4}, 1st percentile {p1:F4}, minimum {cosines.Min():F4}");
        Assert.True(sentences.Count >= 200, $"only {sentences.Count} sentences");
        Assert.True(quantised >= 36, $"only {quantised} MatMul quantised (6 layers × 6 weight products expected)");
        // The float word-embedding table (30522 × 384, 47 MB; a Gather, not quantised) stays: 0.65 of the original. With
        // the replaced float weights left behind it would be 1.12.
        Assert.True(int8.Length < fp32.Length * 0.7, $"the int8 model has {int8.Length} bytes, the float one {fp32.Length}: float weights left behind");
        Assert.True(mean >= 0.98, $"mean cosine {mean:F4} < 0.98");
        Assert.True(p1 >= 0.95, $"1st percentile cosine {p1:F4} < 0.95");
    }

    [Fact]
    public void Tokenizer_Sentence_WordPieceIdsOfTheModelsVocabulary()
    {
        var tokenizer = MiniLmEmbedder.Tokenizer();

        // BERT-base uncased ids: [CLS]=101, [SEP]=102, "free"=2489, "software"=4007.
        Assert.Equal([101, 2489, 4007, 102], tokenizer.EncodeToIds("Free software", addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true));
    }
}
