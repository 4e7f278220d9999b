using System.Net;
using System.Net.Sockets;

namespace EdgeRuntime.Messaging.Tests.Harness;

/// <summary>The test harness's reading of who holds a port, used when a port handed to a daemon was taken first.</summary>
public sealed class PortHoldersTests
{
    [Fact]
    public void Describe_ListeningSocketOfThisProcess_NamesStateAddressAndProcess()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc (Linux only)");
        var port = FreeTcpPort.Next();
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();

        var holder = Assert.Single(PortHolders.Describe(port));

        Assert.StartsWith($"LISTEN 127.0.0.1 by pid {Environment.ProcessId} (", holder, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_ConnectionBothWays_ListsTheListenerAndTheAcceptedSide()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc (Linux only)");
        var port = FreeTcpPort.Next();
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        using var accepted = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);

        var holders = PortHolders.Describe(port);

        Assert.Equal(2, holders.Count);
        Assert.Contains(holders, h => h.StartsWith("LISTEN 127.0.0.1", StringComparison.Ordinal));
        Assert.Contains(holders, h => h.StartsWith("ESTABLISHED 127.0.0.1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("::1", "::1")]
    [InlineData("::", "::")]
    public void Describe_Ipv6Listener_NamesTheAddressAsWritten(string address, string expected)
    {
        // A dual-stack listener on [::] takes the IPv4 port too, and is what a daemon's bind then collides with.
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc (Linux only)");
        var port = FreeTcpPort.Next();
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = address == "::" };
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), port));
        socket.Listen();

        var holder = Assert.Single(PortHolders.Describe(port));

        Assert.StartsWith($"LISTEN {expected} by pid {Environment.ProcessId} (", holder, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_FreePort_IsEmpty()
    {
        Assert.Empty(PortHolders.Describe(FreeTcpPort.Next()));
    }
}
