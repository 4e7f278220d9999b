using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EdgeRuntime.Testing;

/// <summary>
/// Loopback ports nobody listens on, for the brokers, daemons and metrics endpoints the tests start.
/// </summary>
/// <remarks>
/// A port the OS hands out for <c>bind(0)</c> comes from the ephemeral range, the same range every outgoing
/// connection takes its local port from. Between releasing such a port and the broker binding it, any of the
/// hundreds of MQTT clients the test assemblies open in parallel could take it as its local port, and the broker
/// then fails with "address in use" (a CI run lost a Prometheus listener that way). So ports come from outside the
/// ephemeral range (Linux: <c>/proc/sys/net/ipv4/ip_local_port_range</c>), which no outgoing connection uses,
/// and each is claimed with an exclusive lock file, so the test processes that run side by side never hand
/// out the same one. The OS drops the lock when a process ends, however it ends.
/// </remarks>
public static class FreeTcpPort
{
    private const int LowestPort = 10_000;
    private static readonly object Gate = new();
    private static readonly List<FileStream> Claims = [];
    private static readonly string ClaimDirectory = Path.Combine(Path.GetTempPath(), $"edgeruntime-test-ports-{Environment.UserName}");
    private static int _next = -1;
    private static int _low;
    private static int _high;

    /// <summary>
    /// A port that was free when asked, that no other test process of this machine holds, and that this
    /// process has not handed out before.
    /// </summary>
    /// <exception cref="InvalidOperationException">Every port outside the ephemeral range is taken, or the claim folder is not writable.</exception>
    public static int Next()
    {
        lock (Gate)
        {
            if (_next < 0)
            {
                // Once per process: the range and the claim folder do not change while the tests run.
                (_low, _high) = Range();
                RequireWritable();
                _next = Random.Shared.Next(_high - _low);
            }

            var (low, high, span) = (_low, _high, _high - _low);

            for (var tried = 0; tried < span; tried++)
            {
                var port = low + (_next++ % span);
                if (TryClaim(port) is { } claim)
                {
                    if (IsBindable(port))
                    {
                        Claims.Add(claim);
                        return port;
                    }

                    claim.Dispose();
                }
            }

            throw new InvalidOperationException($"no free loopback port in {low}..{high - 1}");
        }
    }

    /// <summary>Whether something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// [low, high) outside the ephemeral range: the larger of the gaps below it (from 10000) and above it; 10000..32768
    /// where the range cannot be read.
    /// </summary>
    /// <exception cref="InvalidOperationException">The ephemeral range leaves fewer than 1,000 ports outside it.</exception>
    private static (int Low, int High) Range()
    {
        int ephemeralLow = 32_768, ephemeralHigh = 60_999;
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            ephemeralLow = int.Parse(fields[0], CultureInfo.InvariantCulture);
            ephemeralHigh = int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or a restricted /proc: keep Linux's default range.
        }

        var below = (Low: LowestPort, High: Math.Max(LowestPort, ephemeralLow));
        var above = (Low: Math.Max(LowestPort, ephemeralHigh + 1), High: 65_536);
        var chosen = below.High - below.Low >= above.High - above.Low ? below : above;
        return chosen.High - chosen.Low >= 1_000
            ? chosen
            : throw new InvalidOperationException($"the ephemeral port range {ephemeralLow}..{ephemeralHigh} (/proc/sys/net/ipv4/ip_local_port_range) leaves fewer than 1,000 ports for test listeners; narrow it");
    }

    private static void RequireWritable()
    {
        var probe = Path.Combine(ClaimDirectory, $"probe-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(ClaimDirectory);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot claim test ports: {ClaimDirectory} is not writable ({ex.Message})", ex);
        }
    }

    private static FileStream? TryClaim(int port)
    {
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock on Unix), held until this process ends.
            return new FileStream(Path.Combine(ClaimDirectory, port.ToString(CultureInfo.InvariantCulture)), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            // A claim file left by another user (a root CI run, then a user run): try the next port.
            return null;
        }
    }

    private static bool IsBindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
