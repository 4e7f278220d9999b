using System.Security.Cryptography;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Fleet.Tests.Cli;

/// <summary>
/// The broker options of the verbs that sign (publish, deploy, rollback): TLS names as mosquitto_pub has them
/// (--cafile, --cert, --key) beside a signing key of its own (--signing-key), old spellings still working.
/// </summary>
public sealed class BrokerArgumentsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgectl-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // A TLS listener on `port` that accepts only clients with a certificate from the test CA.
    private static string[] RequiringClientCertificates(TestCertificates certificates, int port) =>
    [
        $"listener {port} 127.0.0.1",
        $"cafile {certificates.CaFile}",
        $"certfile {certificates.ServerCertificateFile}",
        $"keyfile {certificates.ServerKeyFile}",
        "require_certificate true",
    ];

    private async Task<(string SigningKey, string Model)> PrepareAsync()
    {
        var (exit, _, error) = await Edgectl.RunAsync(["keys", "create", "--out", Path.Combine(_folder, "fleet")], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        var model = Path.Combine(_folder, "model.onnx");
        await File.WriteAllBytesAsync(model, RandomNumberGenerator.GetBytes(50_000), TestContext.Current.CancellationToken);
        return (Path.Combine(_folder, "fleet.key"), model);
    }

    [Fact]
    public async Task ModelPublish_ClientCertificateKeyAndSigningKey_PublishesThroughABrokerThatRequiresCertificates()
    {
        using var certificates = TestCertificates.Create();
        var tlsPort = FreeTcpPort.Next();
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: [.. RequiringClientCertificates(certificates, tlsPort), "use_identity_as_username true"]);
        var (signingKey, model) = await PrepareAsync();

        var (exit, output, error) = await Edgectl.RunAsync(
        [
            "model", "publish", model, "--name", "traffic", "--version", "3", "--chunk-size", "16KiB",
            "--broker", $"mqtts://127.0.0.1:{tlsPort}", "--cafile", certificates.CaFile, "--cert", certificates.ClientCertificateFile, "--key", certificates.ClientKeyFile,
            "--signing-key", signingKey,
        ], TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error);
        Assert.Contains("published traffic v3: 50000 bytes", output, StringComparison.Ordinal);
        Assert.DoesNotContain("deprecated", error, StringComparison.Ordinal);

        // The broker saw the device certificate's identity (use_identity_as_username) on its TLS listener.
        Assert.Contains("edge-device-1", broker.ReadLog(), StringComparison.Ordinal);
        await using var observer = await MosquittoSubscriber.StartAsync(broker.Port, "edge/models/traffic/manifest");
        await observer.WaitForAsync(m => m.Topic == "edge/models/traffic/manifest", "the retained manifest, published over TLS");
    }

    [Fact]
    public async Task ModelPublish_WithoutClientCertificate_BrokerRequiringOneRefusesInOneLine()
    {
        using var certificates = TestCertificates.Create();
        var tlsPort = FreeTcpPort.Next();
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: RequiringClientCertificates(certificates, tlsPort));
        var (signingKey, model) = await PrepareAsync();

        var (exit, _, error) = await Edgectl.RunAsync(
            ["model", "publish", model, "--name", "traffic", "--version", "3", "--broker", $"mqtts://127.0.0.1:{tlsPort}", "--cafile", certificates.CaFile, "--signing-key", signingKey, "--connect-timeout", "2"],
            TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.Matches(@"^edgectl model publish: cannot reach the broker mqtts://127\.0\.0\.1:\d+: [^\n]+\n$", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task ModelPublish_OldKeySpellingForTheSigningKey_WorksWithADeprecationLine()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var (signingKey, model) = await PrepareAsync();

        var (exit, output, error) = await Edgectl.RunAsync(
            ["model", "publish", model, "--name", "traffic", "--version", "1", "--key", signingKey, "--ca-file", "/nonexistent.pem", "--broker", "mqtts://127.0.0.1:1"],
            TestContext.Current.CancellationToken);

        // --ca-file is accepted as --cafile (and the missing file named under its new name); --key alone is the signing key.
        Assert.Equal(1, exit);
        Assert.Contains(SigningKeyArgument.DeprecationLine, error, StringComparison.Ordinal);
        Assert.Contains("edgectl: --ca-file is deprecated; use --cafile", error, StringComparison.Ordinal);
        Assert.Contains("--cafile: '/nonexistent.pem' does not exist", error, StringComparison.Ordinal);
        Assert.Empty(output);

        (exit, output, error) = await Edgectl.RunAsync(["model", "publish", model, "--name", "traffic", "--version", "1", "--key", signingKey, "--broker", broker.Address], TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        Assert.Equal(SigningKeyArgument.DeprecationLine, error.Split('\n')[0]);
        Assert.Contains("published traffic v1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_CertificateAndKeyWithoutSigningKey_AsksForTheSigningKey()
    {
        var (exit, _, error) = await Edgectl.RunAsync(
            ["deploy", "--device", "d1", "--model", "m", "--version", "2", "--cert", "client.pem", "--key", "client.key"],
            TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Equal("edgectl deploy: --signing-key is required: with --cert, --key is the TLS client certificate's key\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Status_BrokerRefusesTheConnection_OneLineWithTheReasonName()
    {
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: ["allow_anonymous false"]);

        var (exit, _, error) = await Edgectl.RunAsync(["status", "--broker", broker.Address, "--connect-timeout", "5"], TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.Equal($"edgectl status: the broker mqtt://{broker.Address} refused the connection: Not authorized (0x87)\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task ModelPublish_BrokerMessageSizeLimitBelowChunk_OneLineWithTheReasonName()
    {
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: ["message_size_limit 20000"]);
        var (signingKey, model) = await PrepareAsync();

        var (exit, _, error) = await Edgectl.RunAsync(
            ["model", "publish", model, "--name", "big", "--version", "1", "--chunk-size", "32KiB", "--signing-key", signingKey, "--broker", broker.Address],
            TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        var line = Assert.Single(error.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("edgectl model publish:", StringComparison.Ordinal));
        Assert.Contains("rejected the message on 'edge/models/big/1/chunks/0': Packet too large (0x95)", line, StringComparison.Ordinal);
        Assert.Contains("--chunk-size", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
