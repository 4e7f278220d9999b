using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Messaging.Tests.Configuration;

public sealed class MqttOptionsValidatorTests
{
    private static string[] Failures(MqttOptions options)
    {
        var result = new MqttOptionsValidator().Validate(null, options);
        return result.Succeeded ? [] : [.. result.Failures!];
    }

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.Empty(Failures(new MqttOptions()));

    [Fact]
    public void Validate_UnknownScheme_OneLineNamingKeyValueAndAllowedForms()
    {
        var failure = Assert.Single(Failures(new MqttOptions { Server = "amqp://broker:5672" }));
        Assert.StartsWith("Mqtt:Server: 'amqp://broker:5672' has an unknown scheme 'amqp'", failure, StringComparison.Ordinal);
        Assert.Contains("mqtts://host:port", failure, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure);
    }

    [Fact]
    public void Validate_NegativeEmbeddedPort_NamesKeyValueAndRange()
    {
        var failure = Assert.Single(Failures(new MqttOptions { EmbeddedPort = -5 }));
        Assert.Equal("Mqtt:EmbeddedPort: -5 is out of range; allowed: 1-65535", failure);
    }

    [Theory]
    [InlineData(1000, "Mqtt:MaxPacketBytes: 1000 is out of range; allowed: 16384-268435460")]
    [InlineData(300_000_000, "Mqtt:MaxPacketBytes: 300000000 is out of range; allowed: 16384-268435460")]
    public void Validate_MaxPacketBytesOutOfRange_NamesKeyValueAndRange(int bytes, string expected) =>
        Assert.Equal(expected, Assert.Single(Failures(new MqttOptions { MaxPacketBytes = bytes })));

    [Fact]
    public void Validate_ConflictSettingsOutOfRange_OneLineEach()
    {
        var failures = Failures(new MqttOptions { Conflict = { Takeovers = 1, WindowSeconds = 0, BackOffSeconds = 60, MaxBackOffSeconds = 30 } });

        Assert.Equal(
        [
            "Mqtt:Conflict:Takeovers: 1 is out of range; allowed: 2-1000",
            "Mqtt:Conflict:WindowSeconds: 0 is out of range; allowed: 1-86400",
            "Mqtt:Conflict:MaxBackOffSeconds: 30 is out of range; allowed: 60-86400 (not below BackOffSeconds)",
        ], failures);
    }

    [Fact]
    public void Validate_UsernameWithTheEmbeddedBroker_SaysItTakesItsLocalCredential()
    {
        var failure = Assert.Single(Failures(new MqttOptions { Username = "device" }));
        Assert.StartsWith("Mqtt:Username: is set but Mqtt:Server is empty (the embedded broker takes the local credential", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingCaFile_NamesKeyAndPath()
    {
        var options = new MqttOptions { Server = "mqtts://broker:8883", Tls = { CaFile = "/nonexistent/ca.pem" } };
        Assert.Equal("Mqtt:Tls:CaFile: '/nonexistent/ca.pem' does not exist", Assert.Single(Failures(options)));
    }

    [Fact]
    public void Validate_MissingClientCertificate_NamesKeyAndPath()
    {
        var options = new MqttOptions { Server = "mqtts://broker", Tls = { ClientCertificateFile = "/nonexistent/device.pem" } };
        Assert.Equal("Mqtt:Tls:ClientCertificateFile: '/nonexistent/device.pem' does not exist", Assert.Single(Failures(options)));
    }

    [Fact]
    public void Validate_CertificateFilesWithPlainTcp_Refused()
    {
        using var certificates = TestCertificates.Create();
        var options = new MqttOptions { Server = "broker:1883", Tls = { CaFile = certificates.CaFile } };
        Assert.Contains("is not a TLS connection", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateFilesWithEmbeddedBroker_Refused()
    {
        using var certificates = TestCertificates.Create();
        var options = new MqttOptions { Tls = { CaFile = certificates.CaFile } };
        Assert.Contains("Mqtt:Server is empty", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateFileThatIsNotPem_NamesFile()
    {
        var garbage = Path.GetTempFileName();
        File.WriteAllText(garbage, "not a certificate");
        try
        {
            var options = new MqttOptions { Server = "mqtts://broker", Tls = { CaFile = garbage } };
            Assert.StartsWith($"Mqtt:Tls:CaFile: '{garbage}' cannot be read", Assert.Single(Failures(options)), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(garbage);
        }
    }

    [Fact]
    public void Validate_ReadableTlsFiles_Succeed()
    {
        using var certificates = TestCertificates.Create();
        var options = new MqttOptions
        {
            Server = "mqtts://broker:8883",
            Tls = { CaFile = certificates.CaFile, ClientCertificateFile = certificates.ClientCertificateFile, ClientKeyFile = certificates.ClientKeyFile },
        };
        Assert.Empty(Failures(options));
    }

    [Fact]
    public void Validate_SessionExpiryZeroWithoutCleanStart_ExplainsBothKeys()
    {
        var failure = Assert.Single(Failures(new MqttOptions { SessionExpirySeconds = 0 }));
        Assert.StartsWith("Mqtt:SessionExpirySeconds: 0 keeps no session although Mqtt:CleanStart is false", failure, StringComparison.Ordinal);
        Assert.Empty(Failures(new MqttOptions { SessionExpirySeconds = 0, CleanStart = true }));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("$SYS")]
    [InlineData("")]
    public void Validate_TopicRootNotOneLevel_Refused(string root) =>
        Assert.StartsWith("Mqtt:TopicRoot:", Assert.Single(Failures(new MqttOptions { TopicRoot = root })), StringComparison.Ordinal);

    [Fact]
    public void Validate_MaxDelayBelowInitial_Refused()
    {
        var options = new MqttOptions { Reconnect = { InitialDelayMilliseconds = 1000, MaxDelayMilliseconds = 10 } };
        Assert.StartsWith("Mqtt:Reconnect:MaxDelayMilliseconds: 10", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PasswordWithoutUser_Refused() =>
        Assert.StartsWith("Mqtt:Username:", Assert.Single(Failures(new MqttOptions { Server = "b:1", Password = "x" })), StringComparison.Ordinal);
}
