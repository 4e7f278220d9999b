using System.Globalization;
using EdgeRuntime.Core;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>Asking the daemon for help or its version prints and exits; it never starts (no broker, no state).</summary>
public sealed class DaemonCommandLineTests
{
    [Theory]
    [InlineData("--help", "Usage:")]
    [InlineData("-h", "Usage:")]
    [InlineData("--version", "edge-runtime 0.")]
    public async Task Start_HelpOrVersion_PrintsAndExitsZeroWithoutStarting(string argument, string expected)
    {
        // The embedded broker's port is held by a broker of our own: a daemon that started would fail with exit code 1
        // ("already in use"); one that only printed exits 0 and leaves the state directory empty.
        await using var broker = await MosquittoBroker.StartAsync();
        var state = Directory.CreateTempSubdirectory("edge-help-").FullName;
        try
        {
            var (exit, output) = await DaemonProcess.RunToEndAsync(
                new Dictionary<string, string?> { ["EDGE_Mqtt__EmbeddedPort"] = broker.Port.ToString(CultureInfo.InvariantCulture) },
                state,
                argument);

            Assert.Equal(0, exit);
            Assert.Contains(expected, output, StringComparison.Ordinal);
            Assert.DoesNotContain("Connecting to", output, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(state));
            Assert.DoesNotContain("New client connected", broker.ReadLog(), StringComparison.Ordinal);
            if (argument == "--version")
            {
                Assert.Equal($"edge-runtime {RuntimeVersion.Current}", output.Trim());
            }
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
