using System.Net;
using System.Net.Sockets;

namespace EdgeRuntime.Worker.Tests.Harness;

/// <summary>
/// The test harness's answer to a port another process took between FreeTcpPort's check and the daemon's bind: the
/// daemon exits on it, and StartListeningAsync starts it again on a fresh port.
/// </summary>
public sealed class DaemonProcessPortRetryTests
{
    [Fact]
    public async Task StartListening_FirstPortHeldByAnotherListener_DaemonStartsAgainOnAFreshPortAndListensThere()
    {
        var taken = FreeTcpPort.Next();
        using var other = new TcpListener(IPAddress.Loopback, taken);
        other.Start();
        var handedOut = new Queue<int>([taken]);

        // The other process's listener answers on the taken port; the wait must not take it for the daemon's.
        var (started, ports) = await DaemonProcess.StartListeningAsync(
            new Dictionary<string, string?> { ["EDGE_Pipelines__0__Enabled"] = "false" },
            () => handedOut.TryDequeue(out var port) ? port : FreeTcpPort.Next(),
            "EDGE_Mqtt__EmbeddedPort");
        await using var daemon = started;

        Assert.False(daemon.Process.HasExited, daemon.Process.DescribeOutput());
        Assert.NotEqual(taken, ports["EDGE_Mqtt__EmbeddedPort"]);
        Assert.True(PortHolders.IsListenedBy(ports["EDGE_Mqtt__EmbeddedPort"], daemon.Process.Id));
    }

    [Fact]
    public void IsListenedBy_AnotherProcessesListener_IsNotThisProcesses()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc (Linux only)");
        var port = FreeTcpPort.Next();
        Assert.False(PortHolders.IsListenedBy(port, Environment.ProcessId));

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();

        Assert.True(PortHolders.IsListenedBy(port, Environment.ProcessId));
        Assert.False(PortHolders.IsListenedBy(port, 1));
    }
}
