using System.Globalization;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>A misspelt key stops the daemon (exit 2) with one line naming where it came from and the nearest known key.</summary>
public sealed class DaemonUnknownKeyTests
{
    [Theory]
    [InlineData("EDGE_Mqtt__Sever", "127.0.0.1:1883", "EDGE_Mqtt__Sever: unknown key; did you mean Mqtt:Server?")]
    [InlineData("EDGE_Pipelines__0__Sources__0__Simulation__StartsAt", "2026-01-05T07:30:00Z", "EDGE_Pipelines__0__Sources__0__Simulation__StartsAt: unknown key; did you mean Pipelines:0:Sources:0:Simulation:StartAt?")]
    [InlineData("EDGE_Delivery__TrustedKey__0", "/etc/fleet.pub", "EDGE_Delivery__TrustedKey: unknown key; did you mean Delivery:TrustedKeys?")]
    [InlineData("EDGE_Mqtt__Server__Host", "broker", "EDGE_Mqtt__Server__Host: unknown key; Mqtt:Server takes a value, not keys below it")]
    [InlineData("EDGE_Mqtt_Server", "broker:1883", "EDGE_Mqtt_Server: unknown key; did you mean Mqtt?")]
    public async Task Start_UnknownEnvironmentVariable_ExitsTwoNamingTheNearestKey(string variable, string value, string expected)
    {
        var port = FreeTcpPort.Next();
        await using var daemon = DaemonProcess.Start(new Dictionary<string, string?> { [variable] = value, ["EDGE_Mqtt__EmbeddedPort"] = port.ToString(CultureInfo.InvariantCulture) });

        Assert.Equal(2, await daemon.Process.WaitForExitAsync());
        Assert.Equal($"edge-runtime: configuration error: {expected}", Assert.Single(daemon.Process.StandardError, l => l.Length > 0));
        Assert.False(await FreeTcpPort.IsListeningAsync(port), "the embedded broker must not start");
    }

    [Fact]
    public async Task Start_UnknownCommandLineKey_ExitsTwoNamingTheNearestKey()
    {
        await using var daemon = DaemonProcess.Start(new Dictionary<string, string?>(), arguments: ["--Mqtt:EmbeddedPrt", "1884"]);

        Assert.Equal(2, await daemon.Process.WaitForExitAsync());
        Assert.Equal("edge-runtime: configuration error: --Mqtt:EmbeddedPrt: unknown key; did you mean Mqtt:EmbeddedPort?", Assert.Single(daemon.Process.StandardError, l => l.Length > 0));
    }

    [Fact]
    public async Task Start_UnknownKeyInSiteFile_NamesTheFile()
    {
        var directory = Directory.CreateTempSubdirectory("edge-config-").FullName;
        var file = Path.Combine(directory, "site.json");
        await File.WriteAllTextAsync(file, """{ "Results": { "RetentionHour": 24 } }""", TestContext.Current.CancellationToken);
        try
        {
            await using var daemon = DaemonProcess.Start(new Dictionary<string, string?> { ["EDGE_ConfigDirectory"] = directory });
            Assert.Equal(2, await daemon.Process.WaitForExitAsync());
            Assert.Equal($"edge-runtime: configuration error: {file}: Results:RetentionHour: unknown key; did you mean Results:RetentionHours?", Assert.Single(daemon.Process.StandardError, l => l.Length > 0));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
