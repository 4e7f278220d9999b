using System.Security.Cryptography;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Store;

namespace EdgeRuntime.Delivery.Tests.Store;

public sealed class ModelStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-store-").FullName;
    private readonly SigningKey _key = SigningKey.Create();

    private ModelStore NewStore(int keep = 2, long quota = 1 << 20) => new(Path.Combine(_folder, "models"), keep, quota);

    private (ModelManifest Manifest, byte[] Envelope, string File) Verified(string name, long version, int length = 10_000)
    {
        var path = Path.Combine(_folder, $"{name}-{version}.part");
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(length));
        var manifest = ManifestBuilder.Build(path, name, version, 4096, Now, Now.AddDays(1));
        return (manifest, SignedEnvelope.Sign(ModelManifestJson.ToBytes(manifest), _key).ToBytes(), path);
    }

    [Fact]
    public void Install_PutsTheFileAndItsManifestInAVersionFolder()
    {
        var store = NewStore();
        var (manifest, envelope, file) = Verified("traffic", 4);
        var bytes = File.ReadAllBytes(file);
        var installed = store.Install(manifest, envelope, file);

        Assert.False(File.Exists(file));
        Assert.Equal(bytes, File.ReadAllBytes(installed.Path));
        Assert.Equal(manifest.Sha256, store.Get("traffic", 4)!.Sha256);
        Assert.Equal([4L], store.Versions("traffic"));
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(store.Root, "traffic"), ".*"));
    }

    [Fact]
    public void MarkServing_RemembersServingAndHighest_AcrossReopen()
    {
        var store = NewStore();
        store.MarkServing("traffic", 5);
        store.MarkServing("traffic", 3);
        var reopened = NewStore();
        Assert.Equal(new ModelStoreState(3, 5), reopened.State("traffic"));
        Assert.Equal(new ModelStoreState(null, 0), reopened.State("other"));
    }

    [Fact]
    public void Prune_KeepsTheNewestAndTheServingVersion()
    {
        var store = NewStore(keep: 2);
        foreach (var version in new long[] { 1, 2, 3, 4, 5 })
        {
            var (manifest, envelope, file) = Verified("traffic", version);
            store.Install(manifest, envelope, file);
            if (version == 2)
            {
                store.MarkServing("traffic", 2);
            }
        }

        store.Prune("traffic", store.KeepVersions);
        Assert.Equal([2L, 4L, 5L], store.Versions("traffic"));
        Assert.Throws<InvalidOperationException>(() => store.Remove("traffic", 2));
    }

    [Fact]
    public void CheckRoom_CountsWhatPruningWouldFree_AndNamesTheQuota()
    {
        var store = NewStore(keep: 1, quota: 25_000);
        var (manifest, envelope, file) = Verified("traffic", 1);
        store.Install(manifest, envelope, file);

        // Version 1 is not serving and keep=1 means it goes when version 2 arrives: 20 000 bytes fit.
        Assert.Null(store.CheckRoom("traffic", 20_000));
        store.MarkServing("traffic", 1);
        Assert.Contains("over its quota", store.CheckRoom("traffic", 20_000), StringComparison.Ordinal);
        Assert.Contains("more than the store quota", store.CheckRoom("traffic", 30_000), StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_FindsEachKindOfDamage_AndHashesOnlyWhatItIsAskedTo()
    {
        var store = NewStore(keep: 5);
        for (var version = 1; version <= 4; version++)
        {
            var (manifest, envelope, file) = Verified("traffic", version);
            store.Install(manifest, envelope, file);
        }

        var model3 = Path.Combine(store.VersionFolder("traffic", 3), ModelStore.ModelFileName);
        var bytes = File.ReadAllBytes(model3);
        bytes[10] ^= 1;
        File.WriteAllBytes(model3, bytes);
        File.WriteAllText(Path.Combine(store.VersionFolder("traffic", 2), ModelStore.ManifestFileName), "{ not json");
        File.Delete(Path.Combine(store.VersionFolder("traffic", 4), ModelStore.ModelFileName));
        using var trusted = TrustedKeys.Of(_key);

        var quick = store.Inspect("traffic", trusted, _ => false);
        Assert.Equal([Core.Delivery.StoredHealth.Unchecked, Core.Delivery.StoredHealth.Damaged, Core.Delivery.StoredHealth.Unchecked, Core.Delivery.StoredHealth.Damaged], quick.Select(v => v.Health));
        var full = store.Inspect("traffic", trusted, _ => true);
        Assert.Equal([Core.Delivery.StoredHealth.Verified, Core.Delivery.StoredHealth.Damaged, Core.Delivery.StoredHealth.Damaged, Core.Delivery.StoredHealth.Damaged], full.Select(v => v.Health));
        Assert.Contains("has sha256", full[2].Problem, StringComparison.Ordinal);
        Assert.StartsWith("manifest.signed.json: not a signed document", full[1].Problem, StringComparison.Ordinal);
        Assert.Contains("is missing", full[3].Problem, StringComparison.Ordinal);
        Assert.Contains("has sha256", store.VerifyModelFile("traffic", 3), StringComparison.Ordinal);
        Assert.Null(store.VerifyModelFile("traffic", 1));
    }

    [Fact]
    public void TryState_Damaged_IsAValue_AndRebuildState_WritesOneFromTheVersionFolders()
    {
        var store = NewStore();
        var (manifest, envelope, file) = Verified("traffic", 7);
        store.Install(manifest, envelope, file);
        store.MarkServing("traffic", 7, holdThrough: 9);
        Assert.Equal(new ModelStoreState(7, 7, 9), store.State("traffic"));
        File.WriteAllText(Path.Combine(store.Root, "traffic", "state.json"), "{\"servingVersion\": 7, \"high");

        Assert.Null(store.TryState("traffic", out var problem));
        Assert.Contains("is damaged", problem, StringComparison.Ordinal);
        Assert.Throws<IOException>(() => store.State("traffic"));
        Assert.Equal(new ModelStoreState(7, 7), store.RebuildState("traffic", 7));
        Assert.Equal(new ModelStoreState(7, 7), NewStore().State("traffic"));
    }

    [Fact]
    public void UsedBytes_CountsPartialDownloads_AndDownloadsAreListedAndDiscardedByVersion()
    {
        var store = NewStore();
        var (manifest, _, _) = Verified("traffic", 3, length: 30_000);
        using (Delivery.Transfer.PartialDownload.Open(Delivery.Transfer.PartialDownload.FolderFor(store.DownloadsRoot, manifest), manifest))
        {
        }

        Assert.True(store.UsedBytes() >= 30_000);
        var download = Assert.Single(store.Downloads("traffic"));
        Assert.Equal(3, download.Version);
        Assert.Equal(manifest.Sha256[..12], download.Sha256Prefix);
        Assert.Empty(store.Downloads("traffic-forecast"));
        store.DiscardDownloads("traffic", 3);
        Assert.Empty(store.Downloads("traffic"));
        Assert.Equal(0, store.UsedBytes());
    }

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
