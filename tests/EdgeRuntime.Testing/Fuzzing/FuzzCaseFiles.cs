using System.Text.Json;
using EdgeRuntime.Graph.Onnx;

namespace EdgeRuntime.Testing.Fuzzing;

/// <summary>
/// Stores a fuzz case as files, so a disagreement the fuzzer found stays a regression case: NAME.onnx, NAME.json (what
/// the generator knew: random and quantised outputs, whether a refusal is expected, the feeds' labels) and
/// NAME.feeds/FEED/INPUT.pb (the input sets, as TensorProto files).
/// </summary>
public static class FuzzCaseFiles
{
    private sealed record Metadata(int Seed, string Finding, Dictionary<string, double> QuantisedOutputs, List<string> RandomOutputs, bool ExpectRefusal, List<string> Feeds, List<string> Features);

    /// <summary>Writes <paramref name="fuzzCase"/> into <paramref name="folder"/> as <paramref name="name"/>.*, with <paramref name="finding"/> (what it once showed).</summary>
    public static void Write(FuzzCase fuzzCase, string folder, string name, string finding)
    {
        ArgumentNullException.ThrowIfNull(fuzzCase);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, $"{name}.onnx"), fuzzCase.Model);
        var metadata = new Metadata(fuzzCase.Seed, finding, new(fuzzCase.QuantisedOutputs), [.. fuzzCase.RandomOutputs], fuzzCase.ExpectRefusal, [.. fuzzCase.Feeds.Select(f => f.Label)], [.. fuzzCase.Features]);
        File.WriteAllText(Path.Combine(folder, $"{name}.json"), JsonSerializer.Serialize(metadata, new JsonSerializerOptions { WriteIndented = true }));
        for (var i = 0; i < fuzzCase.Feeds.Count; i++)
        {
            var feedFolder = Path.Combine(folder, $"{name}.feeds", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(feedFolder);
            foreach (var (input, tensor) in fuzzCase.Feeds[i].Inputs)
            {
                File.WriteAllBytes(Path.Combine(feedFolder, $"{input}.pb"), OnnxTensorWriter.ToBytes(tensor, input));
            }
        }
    }

    /// <summary>Reads the case <paramref name="model"/> (NAME.onnx with its NAME.json and NAME.feeds beside it) and what it once showed.</summary>
    public static (FuzzCase Case, string Finding) Read(string model)
    {
        var stem = Path.ChangeExtension(model, null);
        var metadata = JsonSerializer.Deserialize<Metadata>(File.ReadAllText($"{stem}.json")) ?? throw new InvalidDataException($"{stem}.json is empty");
        var feeds = new List<FuzzFeed>();
        for (var i = 0; i < metadata.Feeds.Count; i++)
        {
            var feedFolder = Path.Combine($"{stem}.feeds", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var inputs = Directory.Exists(feedFolder)
                ? Directory.GetFiles(feedFolder, "*.pb").ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => OnnxTensorReader.Read(f).Tensor, StringComparer.Ordinal)
                : [];
            feeds.Add(new FuzzFeed(metadata.Feeds[i], inputs));
        }

        var fuzzCase = new FuzzCase(metadata.Seed, File.ReadAllBytes(model), feeds, metadata.QuantisedOutputs, metadata.RandomOutputs.ToHashSet(StringComparer.Ordinal), metadata.ExpectRefusal, metadata.Features);
        return (fuzzCase, metadata.Finding);
    }
}
