using System.Security.Cryptography;
using System.Text.Json;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Fleet.Tests.Delivery;

/// <summary>edgectl keys / model publish / deploy / rollback as a user runs them, against a real broker.</summary>
public sealed class DeliveryVerbTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgectl-delivery-").FullName;

    private string KeyBase => Path.Combine(_folder, "fleet");

    private async Task<string> CreateKeyAsync()
    {
        var (exit, output, error) = await Edgectl.RunAsync(["keys", "create", "--out", KeyBase], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        Assert.Matches("^key [0-9a-f]{16}: private .*fleet.key", output);
        return KeyBase + ".key";
    }

    [Fact]
    public async Task KeysCreate_WritesAKeyPair_AndNeverOverwritesOne()
    {
        var privateKey = await CreateKeyAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privateKey));
        var before = await File.ReadAllTextAsync(privateKey, TestContext.Current.CancellationToken);

        var (exit, _, error) = await Edgectl.RunAsync(["keys", "create", "--out", KeyBase], TestContext.Current.CancellationToken);
        Assert.Equal(1, exit);
        Assert.Contains("exists", error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(privateKey, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ModelPublish_PutsRetainedChunksAndASignedManifestOnTheBroker()
    {
        var privateKey = await CreateKeyAsync();
        var model = Path.Combine(_folder, "model.onnx");
        var bytes = RandomNumberGenerator.GetBytes(100_000);
        await File.WriteAllBytesAsync(model, bytes, TestContext.Current.CancellationToken);
        await using var broker = await MosquittoBroker.StartAsync();

        var (exit, output, error) = await Edgectl.RunAsync(["model", "publish", model, "--name", "traffic", "--version", "7", "--signing-key", privateKey, "--chunk-size", "32KiB", "--expires", "2h", "--broker", broker.Address], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        Assert.Contains("published traffic v7: 100000 bytes", output, StringComparison.Ordinal);
        Assert.Contains("100%", error, StringComparison.Ordinal);

        // A late, independent subscriber finds everything retained.
        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, "edge/models/#");
        var manifestMessage = await observer.WaitForAsync(m => m.Topic == "edge/models/traffic/manifest", "the retained manifest");
        await observer.WaitForAsync(m => m.Topic == "edge/models/traffic/7/manifest", "the version's retained manifest");
        await Eventually.TrueAsync(() => observer.Messages.Count(m => m.Topic.StartsWith("edge/models/traffic/7/chunks/", StringComparison.Ordinal)) == 4, "four retained chunks");

        using var trusted = TrustedKeys.Load([KeyBase + ".pub"]);
        var check = SignedEnvelope.Open(System.Text.Encoding.UTF8.GetBytes(manifestMessage.Payload), trusted);
        Assert.True(check.IsAccepted, check.Problem);
        var manifest = ModelManifestJson.Parse(check.Document.Span, out var problem)!;
        Assert.Null(problem);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), manifest.Sha256);
        Assert.Equal(32 * 1024, manifest.ChunkSize);
        Assert.InRange(manifest.ExpiresAt - manifest.CreatedAt, TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1), TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        Assert.True(manifest.Targets!.All);

        // The signed statement that makes it the latest names exactly this manifest, for a day.
        var statement = Statement(await observer.WaitForAsync(m => m.Topic == "edge/models/traffic/latest", "the retained latest statement"), trusted);
        Assert.Equal(7, statement.Version);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(check.Document.Span)), statement.ManifestSha256);
        Assert.Equal(LatestStatement.DefaultLifetime, statement.ExpiresAt - statement.CreatedAt);
    }

    [Fact]
    public async Task ModelPublish_Staged_NeedsItsTargets_SignsThem_AndAnnouncesNothing()
    {
        var privateKey = await CreateKeyAsync();
        var model = Path.Combine(_folder, "model.onnx");
        await File.WriteAllBytesAsync(model, RandomNumberGenerator.GetBytes(10_000), TestContext.Current.CancellationToken);
        string[] publish = ["model", "publish", model, "--name", "traffic", "--version", "3", "--signing-key", privateKey, "--staged"];

        var (exit, _, error) = await Edgectl.RunAsync([.. publish, "--broker", "127.0.0.1:1", "--connect-timeout", "1"], TestContext.Current.CancellationToken);
        Assert.Equal(2, exit);
        Assert.Equal("edgectl model publish: --staged needs the devices it is for: --device ID or --tag TAG (repeatable)", error.Trim());

        await using var broker = await MosquittoBroker.StartAsync();
        (exit, var output, error) = await Edgectl.RunAsync([.. publish, "--device", "crossing-7", "--tag", "canary", "--broker", broker.Address], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        Assert.Contains("(staged for device crossing-7, tag canary: deploy it with 'edgectl deploy')", output, StringComparison.Ordinal);

        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, "edge/models/#");
        var staged = await observer.WaitForAsync(m => m.Topic == "edge/models/traffic/3/manifest", "the staged version's manifest");
        using var trusted = TrustedKeys.Load([KeyBase + ".pub"]);
        var manifest = ModelManifestJson.Parse(SignedEnvelope.Open(System.Text.Encoding.UTF8.GetBytes(staged.Payload), trusted).Document.Span, out _)!;
        Assert.Equal(["crossing-7"], manifest.Targets!.Devices);
        Assert.Equal(["canary"], manifest.Targets.Tags);
        Assert.Null(manifest.Targets.All);
        Assert.DoesNotContain(observer.Messages, m => m.Topic is "edge/models/traffic/manifest" or "edge/models/traffic/latest");
    }

    [Fact]
    public async Task ModelLatest_ResignsTheStatement_NamingTheSameManifest_WithANewLifetime()
    {
        var privateKey = await CreateKeyAsync();
        var model = Path.Combine(_folder, "model.onnx");
        await File.WriteAllBytesAsync(model, RandomNumberGenerator.GetBytes(10_000), TestContext.Current.CancellationToken);
        await using var broker = await MosquittoBroker.StartAsync();
        var (exit, _, error) = await Edgectl.RunAsync(["model", "publish", model, "--name", "traffic", "--version", "4", "--signing-key", privateKey, "--latest-lifetime", "2h", "--broker", broker.Address], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        using var trusted = TrustedKeys.Load([KeyBase + ".pub"]);
        LatestStatement Retained(MosquittoSubscriber observer) => Statement(observer.Messages.Last(m => m.Topic == "edge/models/traffic/latest"), trusted);

        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, "edge/models/traffic/latest");
        await observer.WaitForAsync(m => m.Topic == "edge/models/traffic/latest", "the statement publish signed");
        var before = Retained(observer);
        Assert.Equal(TimeSpan.FromHours(2), before.ExpiresAt - before.CreatedAt);

        (exit, var output, error) = await Edgectl.RunAsync(["model", "latest", "--name", "traffic", "--signing-key", privateKey, "--lifetime", "6h", "--broker", broker.Address], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        Assert.StartsWith("traffic: latest statement for v4 signed, valid until ", output, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => observer.Messages.Count(m => m.Topic == "edge/models/traffic/latest") == 2, "the re-signed statement");
        var after = Retained(observer);
        Assert.Equal(before.ManifestSha256, after.ManifestSha256);
        Assert.Equal(TimeSpan.FromHours(6), after.ExpiresAt - after.CreatedAt);
        Assert.True(after.CreatedAt >= before.CreatedAt);
    }

    private static LatestStatement Statement(ObservedMessage message, TrustedKeys trusted)
    {
        var check = SignedEnvelope.Open(System.Text.Encoding.UTF8.GetBytes(message.Payload), trusted);
        Assert.True(check.IsAccepted, check.Problem);
        var statement = LatestStatement.Parse(check.Document.Span, out var problem);
        Assert.Null(problem);
        return statement!;
    }

    [Theory]
    [InlineData("--chunk-size", "lots", "is not a size")]
    [InlineData("--expires", "forever", "is not a duration")]
    [InlineData("--chunk-size", "1KiB", "chunk size 1024 is outside")]
    [InlineData("--name", "a/b", "model name 'a/b' is not allowed")]
    public async Task ModelPublish_BadArgument_ExitsWithOneLineNamingIt(string option, string value, string expected)
    {
        var privateKey = await CreateKeyAsync();
        var model = Path.Combine(_folder, "model.onnx");
        await File.WriteAllBytesAsync(model, new byte[5000], TestContext.Current.CancellationToken);
        string[] args = ["model", "publish", model, "--name", "traffic", "--version", "1", "--signing-key", privateKey, "--broker", "127.0.0.1:1", "--connect-timeout", "1"];
        var index = Array.IndexOf(args, option);
        args = index >= 0 ? [.. args[..(index + 1)], value, .. args[(index + 2)..]] : [.. args, option, value];

        var (exit, _, error) = await Edgectl.RunAsync(args, TestContext.Current.CancellationToken);
        Assert.NotEqual(0, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task ModelPublish_KeyThatIsNotAPrivateKey_ExitsNamingTheFile()
    {
        await CreateKeyAsync();
        var model = Path.Combine(_folder, "model.onnx");
        await File.WriteAllBytesAsync(model, new byte[5000], TestContext.Current.CancellationToken);
        var (exit, _, error) = await Edgectl.RunAsync(["model", "publish", model, "--name", "m", "--version", "1", "--signing-key", KeyBase + ".pub"], TestContext.Current.CancellationToken);
        Assert.Equal(1, exit);
        Assert.Contains("fleet.pub", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_NoDeviceAnswers_TimesOutWithOneLine()
    {
        var privateKey = await CreateKeyAsync();
        await using var broker = await MosquittoBroker.StartAsync();
        await using var commands = await MosquittoSubscriber.StartAsync(broker.Port, "edge/devices/+/cmd/#");
        var (exit, _, error) = await Edgectl.RunAsync(["deploy", "--device", "crossing-7", "--model", "traffic", "--version", "3", "--signing-key", privateKey, "--timeout", "1", "--broker", broker.Address], TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.Equal("edgectl deploy: no answer from device 'crossing-7' within 1 s (offline? the command expires then)", error.Trim());
        var command = await commands.WaitForAsync(m => m.Topic == "edge/devices/crossing-7/cmd/deploy", "the signed command on the device's topic");
        var envelope = JsonDocument.Parse(command.Payload).RootElement;
        Assert.Equal("edge-signed/1", envelope.GetProperty("format").GetString());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
