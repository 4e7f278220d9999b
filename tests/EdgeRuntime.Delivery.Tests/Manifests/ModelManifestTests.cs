using System.Security.Cryptography;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Publishing;

namespace EdgeRuntime.Delivery.Tests.Manifests;

public sealed class ModelManifestTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-manifest-").FullName;

    [Fact]
    public void Build_DescribesEveryChunkAndTheWholeFile()
    {
        var bytes = RandomNumberGenerator.GetBytes((3 * 4096) + 100);
        var path = Path.Combine(_folder, "m.onnx");
        File.WriteAllBytes(path, bytes);
        var manifest = ManifestBuilder.Build(path, "traffic", 3, 4096, Now, Now.AddDays(1));

        Assert.Equal(bytes.Length, manifest.Length);
        Assert.Equal(4, manifest.Chunks.Count);
        Assert.Equal(100, manifest.ChunkLength(3));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), manifest.Sha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(4096, 4096))), manifest.Chunks[1]);

        var parsed = ModelManifestJson.Parse(ModelManifestJson.ToBytes(manifest), out var problem);
        Assert.Null(problem);
        Assert.Equal(manifest.Chunks, parsed!.Chunks);
        Assert.Equal(manifest with { Chunks = parsed.Chunks }, parsed);
    }

    public static TheoryData<string, string> BadManifests => new()
    {
        { """{"type":"device-command","name":"m","version":1,"length":1,"sha256":"%H","chunkSize":4096,"chunks":["%H"],"createdAt":"2026-01-01T00:00:00Z","expiresAt":"2027-01-01T00:00:00Z"}""", "document type" },
        { """{"type":"model-manifest","name":"a/b","version":1,"length":1,"sha256":"%H","chunkSize":4096,"chunks":["%H"],"createdAt":"2026-01-01T00:00:00Z","expiresAt":"2027-01-01T00:00:00Z"}""", "model name" },
        { """{"type":"model-manifest","name":"m","version":0,"length":1,"sha256":"%H","chunkSize":4096,"chunks":["%H"],"createdAt":"2026-01-01T00:00:00Z","expiresAt":"2027-01-01T00:00:00Z"}""", "version 0" },
        { """{"type":"model-manifest","name":"m","version":1,"length":5000,"sha256":"%H","chunkSize":4096,"chunks":["%H"],"createdAt":"2026-01-01T00:00:00Z","expiresAt":"2027-01-01T00:00:00Z"}""", "expected 2" },
        { """{"type":"model-manifest","name":"m","version":1,"length":1,"sha256":"XYZ","chunkSize":4096,"chunks":["%H"],"createdAt":"2026-01-01T00:00:00Z","expiresAt":"2027-01-01T00:00:00Z"}""", "sha256 is not" },
        { """{"type":"model-manifest","name":"m","version":1,"length":1,"sha256":"%H","chunkSize":10,"chunks":["%H"],"createdAt":"2026-01-01T00:00:00Z","expiresAt":"2027-01-01T00:00:00Z"}""", "chunk size 10" },
        { """{"type":"model-manifest","name":"m","version":1,"length":1,"sha256":"%H","chunkSize":4096,"chunks":["%H"],"createdAt":"2026-01-01T00:00:00Z","expiresAt":"2025-01-01T00:00:00Z"}""", "expiresAt" },
        { """{"type":"model-manifest","name":"m","version":1,"length":1,"sha256":"%H","chunkSize":4096,"chunks":["%H"],"createdAt":"2026-01-01T00:00:00Z","expiresAt":"2027-01-01T00:00:00Z","url":"ftp://x/y"}""", "url" },
        { """{"type":"model-manifest","name":"m"}""", "not a model manifest" },
    };

    [Theory]
    [MemberData(nameof(BadManifests))]
    public void Parse_BadField_NamesIt(string json, string expected)
    {
        var text = json.Replace("%H", new string('a', 64), StringComparison.Ordinal);
        Assert.Null(ModelManifestJson.Parse(System.Text.Encoding.UTF8.GetBytes(text), out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
