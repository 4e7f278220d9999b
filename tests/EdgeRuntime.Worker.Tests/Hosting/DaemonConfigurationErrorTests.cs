using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>Bad configuration stops the daemon before it connects, with one line naming the key.</summary>
public sealed class DaemonConfigurationErrorTests
{
    public static TheoryData<string, string, string, string> BadSettings => new()
    {
        { "EDGE_Mqtt__Server", "ftp://127.0.0.1:21", "Mqtt:Server", "unknown scheme 'ftp'" },
        { "EDGE_Mqtt__Server", "127.0.0.1:-1883", "Mqtt:Server", "port -1883, out of range" },
        { "EDGE_Mqtt__EmbeddedPort", "-1", "Mqtt:EmbeddedPort", "-1 is out of range; allowed: 1-65535" },
        { "EDGE_Mqtt__EmbeddedPort", "abc", "Mqtt:EmbeddedPort", "'abc' is not a whole number (set by EDGE_Mqtt__EmbeddedPort)" },
        { "EDGE_Health__IntervalSeconds", "1.5x", "Health:IntervalSeconds", "'1.5x' is not a whole number" },
        { "EDGE_Pipelines__0__Sources__0__Loops__Interval", "5min", "Pipelines:0:Sources:0:Loops:Interval", "'5min' is not a duration: [d.]hh:mm:ss[.fff], e.g. 00:05:00" },
        { "EDGE_Pipelines__0__Enabled", "yes", "Pipelines:0:Enabled", "'yes' is not true or false" },
        { "EDGE_Pipelines__0__Sources__0__Loops__Interval", "300", "Pipelines:0:Sources:0:Loops:Interval", "'300' would be 300 days" },
        { "EDGE_Delivery__TrustedKeys", "/etc/edge-runtime/fleet.pub", "Delivery:TrustedKeys", "is a list: write its entries as Delivery:TrustedKeys:0" },
        { "EDGE_DeviceId", "a/b", "DeviceId", "'a/b' is not usable" },
        { "EDGE_Status__RefreshSeconds", "0", "Status:RefreshSeconds", "0 is out of range" },
        { "EDGE_Delivery__TrustedKeys__0", "/nonexistent/fleet.pub", "Delivery:TrustedKeys:0", "'/nonexistent/fleet.pub' does not exist" },
        { "EDGE_Delivery__TrustedKeys__0", "/etc/hostname", "Delivery:TrustedKeys", "is not an ECDSA P-256 public key" },
        { "EDGE_Delivery__Models__0", "a/b", "Delivery:Models", "'a/b' is not a model name" },
        { "EDGE_Delivery__KeepVersions", "0", "Delivery:KeepVersions", "0 is out of range; allowed: 1-100" },
        { "EDGE_Delivery__PreflightMemoryMegabytes", "10", "Delivery:PreflightMemoryMegabytes", "10 is out of range" },
        { "EDGE_Serving__OptimizationLevel", "O7", "Serving:OptimizationLevel", "'O7'" },
        { "EDGE_Serving__IntraOpThreads", "-1", "Serving:IntraOpThreads", "-1 is out of range" },
        { "EDGE_Pipelines__0__Results__Qos", "2", "Pipelines:0:Results:Qos", "2 is not allowed; allowed: 0 or 1" },
        { "EDGE_Pipelines__0__Sources__0__Type", "Replay", "Pipelines:0:Sources:0:Replay:File", "'' does not exist" },
        { "EDGE_Pipelines__0__Sources__0__Type", "Thermometer", "Pipelines:0:Sources:0:Type", "'Thermometer'" },
        { "EDGE_Pipelines__0__Sources__0__Loops__Lanes__1__LeadPin", "0", "Pipelines:0:Sources:0:Loops:Lanes:1:LeadPin", "0 is negative or used twice" },
        { "EDGE_Pipelines__0__Model__BuiltIn", "magic", "Pipelines:0:Model:BuiltIn", "'magic' is unknown" },
        { "EDGE_Pipelines__0__Stage__Type", "UltraFace", "Pipelines:0:Sources:0:Type", "a SimulatedLoops source cannot feed a UltraFace stage" },
        { "EDGE_Batching__MaxBatch", "0", "Batching:MaxBatch", "0 is out of range; allowed: 1 to 1024" },
        { "EDGE_Batching__Overload", "Panic", "Batching:Overload", "'Panic'" },
        { "EDGE_Batching__ThreadSliceMicroseconds", "50", "Batching:ThreadSliceMicroseconds", "50 is out of range; allowed: 0 (the kernel's default) or 100 to 100000" },
        { "EDGE_Results__RetentionHours", "0", "Results:RetentionHours", "0 must be positive" },
        { "EDGE_Kernels__Accelerator", "Gpu", "Kernels:Accelerator", "'Gpu' is unknown; allowed: Auto, Cpu, Cuda" },
        { "EDGE_Kernels__FramePreprocessing", "Fast", "Kernels:FramePreprocessing", "'Fast' is unknown; allowed: Auto, CSharp, Kernel" },
        { "EDGE_Federated__Enabled", "true", "Federated:DeviceKey", "a device key file is required when Federated:Enabled is true" },
        { "EDGE_Federated__ClipNorm", "0", "Federated:ClipNorm", "0 must be positive" },
    };

    private static async Task<(int ExitCode, string[] ErrorLines, string Output)> RunAsync(Dictionary<string, string?> settings)
    {
        await using var daemon = DaemonProcess.Start(settings);
        var exit = await daemon.Process.WaitForExitAsync();
        return (exit, [.. daemon.Process.StandardError.Where(l => l.Length > 0)], daemon.Process.DescribeOutput());
    }

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Start_BadValue_ExitsNonZeroWithOneLineNamingKeyAndValue(string variable, string value, string key, string expected)
    {
        var port = FreeTcpPort.Next();
        var (exit, errors, output) = await RunAsync(new() { [variable] = value, ["EDGE_Mqtt__EmbeddedPort"] = variable == "EDGE_Mqtt__EmbeddedPort" ? value : port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(2, exit);
        var line = Assert.Single(errors);
        Assert.Contains(key, line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.StartsWith("edge-runtime: configuration error: ", line, StringComparison.Ordinal);
        if (line.Contains($"configuration error: {key}: ", StringComparison.Ordinal) && key.Replace(":", "__", StringComparison.Ordinal) == variable["EDGE_".Length..])
        {
            // The key the line is about is the one the test set: the line says where.
            Assert.EndsWith($" (set by {variable})", line, StringComparison.Ordinal);
        }

        Assert.False(await FreeTcpPort.IsListeningAsync(port), $"the embedded broker must not start\n{output}");
    }

    [Theory]
    [InlineData("EDGE_Mqtt__Tls__CaFile", "Mqtt:Tls:CaFile: '/nonexistent/fleet-ca.pem' does not exist")]
    [InlineData("EDGE_Mqtt__Tls__ClientCertificateFile", "Mqtt:Tls:ClientCertificateFile: '/nonexistent/fleet-ca.pem' does not exist")]
    public async Task Start_MissingCertificateFile_NeverConnectsToTheBroker(string variable, string expected)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var (exit, errors, _) = await RunAsync(new()
        {
            ["EDGE_Mqtt__Server"] = $"mqtts://127.0.0.1:{broker.Port}",
            [variable] = "/nonexistent/fleet-ca.pem",
        });

        Assert.Equal(2, exit);
        Assert.Equal($"edge-runtime: configuration error: {expected} (set by {variable})", Assert.Single(errors));
        Assert.DoesNotContain("New client connected", broker.ReadLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EmbeddedPortTaken_ExitsNonZeroNamingTheSetting()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var (exit, errors, _) = await RunAsync(new() { ["EDGE_Mqtt__EmbeddedPort"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(1, exit);
        var line = Assert.Single(errors);
        Assert.StartsWith($"edge-runtime: cannot start: Mqtt:EmbeddedPort: port {broker.Port} on 127.0.0.1 is already in use", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PrometheusPortIsTheEmbeddedBrokersPort_ConfigurationErrorNamingBoth()
    {
        var port = FreeTcpPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (exit, errors, _) = await RunAsync(new()
        {
            ["EDGE_Mqtt__EmbeddedPort"] = port,
            ["EDGE_Metrics__Prometheus__Enabled"] = "true",
            ["EDGE_Metrics__Prometheus__Port"] = port,
        });

        Assert.Equal(2, exit);
        Assert.Equal(
            $"edge-runtime: configuration error: Metrics:Prometheus:Port: {port} is also Mqtt:EmbeddedPort, the embedded broker's port; choose another (set by EDGE_Metrics__Prometheus__Port)",
            Assert.Single(errors));
    }

    [Fact]
    public async Task Start_PrometheusPortTaken_ExitsNonZeroNamingTheSettingAndTheReason()
    {
        var port = FreeTcpPort.Next();
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        blocker.Start();
        var (exit, errors, _) = await RunAsync(new()
        {
            ["EDGE_Mqtt__EmbeddedPort"] = FreeTcpPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["EDGE_Metrics__Prometheus__Enabled"] = "true",
            ["EDGE_Metrics__Prometheus__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.Equal(1, exit);
        Assert.Equal(
            $"edge-runtime: cannot start: Metrics:Prometheus:Port: port {port} on 127.0.0.1 is already in use (is another daemon or exporter running? choose another Metrics:Prometheus:Port, or set Metrics:Prometheus:Enabled false)",
            Assert.Single(errors));
    }

    [Fact]
    public async Task Start_ConfigDirectoryWithBrokenJson_NamesTheFile()
    {
        var directory = Directory.CreateTempSubdirectory("edge-config-").FullName;
        var file = Path.Combine(directory, "site.json");
        await File.WriteAllTextAsync(file, "{ \"Mqtt\": { \"Server\": ", TestContext.Current.CancellationToken);
        try
        {
            var (exit, errors, _) = await RunAsync(new() { ["EDGE_ConfigDirectory"] = directory });
            Assert.Equal(2, exit);
            Assert.Contains(file, Assert.Single(errors), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_StateDirectoryNotWritable_ExitsNamingTheDirectory()
    {
        var blocker = Path.GetTempFileName();
        try
        {
            // A path below a regular file can never be created, whoever runs the test (root included).
            var (exit, errors, _) = await RunAsync(new() { ["EDGE_StateDirectory"] = Path.Combine(blocker, "state"), ["EDGE_Mqtt__EmbeddedPort"] = FreeTcpPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) });
            Assert.Equal(1, exit);
            Assert.StartsWith($"edge-runtime: cannot start: StateDirectory: '{Path.Combine(blocker, "state")}' is not writable", Assert.Single(errors), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
