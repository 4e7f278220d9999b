using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Tests.Signing;

public sealed class SigningKeyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-keys-").FullName;

    [Fact]
    public void Save_WritesAPrivateKeyOnlyTheOwnerCanRead_AndAPublicKeyDevicesTrust()
    {
        using var key = SigningKey.Create();
        var (privatePath, publicPath) = key.Save(Path.Combine(_folder, "fleet"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privatePath));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(privatePath), StringComparison.Ordinal);

        using var loaded = SigningKey.Load(privatePath);
        using var trusted = TrustedKeys.Load([publicPath]);
        Assert.Equal(key.Id, loaded.Id);
        Assert.Equal([key.Id], trusted.Ids);
        byte[] data = [1, 2, 3];
        Assert.Null(trusted.Check(key.Id, data, loaded.Sign(data)));
    }

    [Fact]
    public void Save_ExistingFiles_AreNeverOverwritten()
    {
        using var first = SigningKey.Create();
        using var second = SigningKey.Create();
        var basePath = Path.Combine(_folder, "fleet");
        first.Save(basePath);
        var ex = Assert.Throws<SigningKeyException>(() => second.Save(basePath));
        Assert.Contains("exists", ex.Message, StringComparison.Ordinal);
        using var kept = SigningKey.Load(basePath + ".key");
        Assert.Equal(first.Id, kept.Id);
    }

    [Fact]
    public void TrustedKeys_GivenAPrivateKeyOrGarbage_RefusesWithTheFileName()
    {
        using var key = SigningKey.Create();
        var (privatePath, _) = key.Save(Path.Combine(_folder, "fleet"));
        var garbage = Path.Combine(_folder, "garbage.pub");
        File.WriteAllText(garbage, "hello");

        Assert.Contains("is a private key", Assert.Throws<SigningKeyException>(() => TrustedKeys.Load([privatePath])).Message, StringComparison.Ordinal);
        Assert.Contains(garbage, Assert.Throws<SigningKeyException>(() => TrustedKeys.Load([garbage])).Message, StringComparison.Ordinal);
        Assert.Contains("cannot read", Assert.Throws<SigningKeyException>(() => TrustedKeys.Load([Path.Combine(_folder, "missing.pub")])).Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
