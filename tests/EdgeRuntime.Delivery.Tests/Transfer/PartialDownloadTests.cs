using System.Security.Cryptography;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Transfer;

namespace EdgeRuntime.Delivery.Tests.Transfer;

public sealed class PartialDownloadTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-download-").FullName;
    private readonly byte[] _bytes = RandomNumberGenerator.GetBytes((10 * 4096) + 7);
    private readonly ModelManifest _manifest;

    public PartialDownloadTests()
    {
        var path = Path.Combine(_folder, "source.onnx");
        File.WriteAllBytes(path, _bytes);
        var now = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        _manifest = ManifestBuilder.Build(path, "m", 1, 4096, now, now.AddDays(1));
    }

    private string DownloadFolder => Path.Combine(_folder, "download");

    private byte[] Chunk(int index) => _bytes.AsSpan((int)_manifest.ChunkOffset(index), _manifest.ChunkLength(index)).ToArray();

    [Fact]
    public void Accept_AllChunksInAnyOrder_AssemblesTheExactFile()
    {
        using (var download = PartialDownload.Open(DownloadFolder, _manifest))
        {
            foreach (var index in Enumerable.Range(0, 11).Reverse())
            {
                Assert.True(download.Accept(index, Chunk(index)));
            }

            Assert.False(download.Accept(4, Chunk(4)));
            download.Complete();
        }

        Assert.Equal(_bytes, File.ReadAllBytes(Path.Combine(DownloadFolder, PartialDownload.PartFileName)));
    }

    [Fact]
    public void Open_AfterAnInterruption_ResumesWithTheVerifiedChunksOnly()
    {
        using (var first = PartialDownload.Open(DownloadFolder, _manifest))
        {
            foreach (var index in new[] { 0, 1, 2, 7, 10 })
            {
                first.Accept(index, Chunk(index));
            }
        }

        // A chunk damaged on disk after it was logged (a torn write, a bad sector) must be fetched again.
        using (var part = new FileStream(Path.Combine(DownloadFolder, PartialDownload.PartFileName), FileMode.Open))
        {
            part.Position = _manifest.ChunkOffset(7) + 5;
            part.WriteByte((byte)(_bytes[(int)_manifest.ChunkOffset(7) + 5] ^ 0xFF));
        }

        using var resumed = PartialDownload.Open(DownloadFolder, _manifest);
        Assert.Equal(4, resumed.Resumed);
        Assert.Equal([3, 4, 5, 6, 7, 8, 9], resumed.Missing());
        foreach (var index in resumed.Missing())
        {
            resumed.Accept(index, Chunk(index));
        }

        resumed.Complete();
    }

    [Fact]
    public void Accept_WrongBytesOrLength_IsRefusedAndNothingIsWritten()
    {
        using var download = PartialDownload.Open(DownloadFolder, _manifest);
        var wrong = Chunk(2);
        wrong[0] ^= 1;
        Assert.Contains("chunk 2 of m v1 has sha256", Assert.Throws<TransferException>(() => download.Accept(2, wrong)).Message, StringComparison.Ordinal);
        Assert.Contains("truncated", Assert.Throws<TransferException>(() => download.Accept(10, Chunk(10)[..3])).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<TransferException>(() => download.Accept(11, Chunk(0))).Message, StringComparison.Ordinal);
        Assert.Equal(0, download.VerifiedCount);
        Assert.Contains("missing 11 of 11", Assert.Throws<TransferException>(download.Complete).Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
