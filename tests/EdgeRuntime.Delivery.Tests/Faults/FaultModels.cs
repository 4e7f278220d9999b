using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Delivery.Tests.Faults;

/// <summary>
/// The model of each version the campaign publishes: y = x × (version + 0.5), with input-dependent weights that make
/// the file (and its plan) 48–160 kB. An answer names its version, so any answer computed from a file other than the
/// verified one of that version — a flipped weight in a model or plan — shows as a wrong number.
/// </summary>
internal static class FaultModels
{
    public const int ChunkSize = 16 * 1024;

    public static float Factor(long version) => version + 0.5f;

    public static byte[] Build(long version, Random random) => TestModels.ScaleWithWeights(Factor(version), random.Next(48, 161) * 1024);

    public static int Chunks(byte[] model) => (model.Length + ChunkSize - 1) / ChunkSize;

    /// <summary>Flips the stored weight (version + 0.5) in <paramref name="path"/>: a file that loads and runs, with a wrong answer.</summary>
    public static bool FlipFactor(string path, long version)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        var bytes = File.ReadAllBytes(path);
        var at = bytes.AsSpan().IndexOf(BitConverter.GetBytes(Factor(version)));
        if (at < 0)
        {
            return false;
        }

        BitConverter.GetBytes(Factor(version) + 7).CopyTo(bytes, at);
        File.WriteAllBytes(path, bytes);
        return true;
    }

    /// <summary>The answer of the serving version to an input of ones, and the version that gave it.</summary>
    public static (float Answer, long Version) Ask(Inference.Serving.ModelServer server, string model)
    {
        var result = server.Run(model, new Dictionary<string, Tensor> { ["x"] = TestModels.Input(1, 1, 1, 1) });
        return (result.Outputs["y"].AsSpan<float>()[0], result.Version);
    }
}
