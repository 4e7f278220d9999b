using System.Globalization;

namespace EdgeRuntime.Testing;

/// <summary>
/// Who holds a local TCP port, read from Linux's <c>/proc/net/tcp</c>, <c>/proc/net/tcp6</c> and each process's open
/// sockets: for the line a test prints when a port it handed to a broker or daemon was taken before that could bind it.
/// </summary>
public static class PortHolders
{
    // TCP states as /proc/net/tcp numbers them (include/net/tcp_states.h).
    private static readonly string[] States =
        ["?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"];

    /// <summary>
    /// One entry per kind of socket with local port <paramref name="port"/>, such as <c>LISTEN 127.0.0.1 by pid 123
    /// (mosquitto -c …)</c> or <c>CLOSE_WAIT 127.0.0.1 (no process) ×3</c>; empty when none (or not Linux). Sockets of
    /// another user's processes show without their owner.
    /// </summary>
    public static IReadOnlyList<string> Describe(int port)
    {
        var sockets = Sockets(port) ?? [];

        // Inode 0: no process has the socket (a connection still in a listener's backlog, or one the kernel is closing).
        var owners = sockets.Count == 0 ? [] : Owners(sockets.Select(s => s.Inode).ToHashSet());
        return [.. sockets
            .Select(s => $"{s.State} {s.Address}" + (owners.TryGetValue(s.Inode, out var owner) ? $" by {owner}" : s.Inode == "0" ? " (no process)" : " (owner not visible)"))
            .GroupBy(line => line)
            .Select(same => same.Count() == 1 ? same.Key : $"{same.Key} ×{same.Count()}")];
    }

    /// <summary>
    /// Whether process <paramref name="processId"/> holds a listening socket on <paramref name="port"/> (another
    /// process's listener there does not count); null where <c>/proc</c> cannot tell (not Linux).
    /// </summary>
    public static bool? IsListenedBy(int port, int processId)
    {
        if (Sockets(port) is not { } sockets)
        {
            return null;
        }

        var listening = sockets.Where(s => s.State == "LISTEN").Select(s => s.Inode).ToHashSet(StringComparer.Ordinal);
        if (listening.Count == 0)
        {
            return false;
        }

        return SocketInodes($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}").Any(listening.Contains);
    }

    // Every TCP socket (IPv4 and IPv6) whose local port is `port`; null when neither table can be read.
    private static List<(string State, string Address, string Inode)>? Sockets(int port)
    {
        var sockets = new List<(string State, string Address, string Inode)>();
        var read = false;
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(table);
                read = true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var line in lines.Skip(1))
            {
                // "  0: 0100007F:2B67 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 …"
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[1].Split(':') is not [var address, var localPort]
                    || int.Parse(localPort, NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port)
                {
                    continue;
                }

                var state = int.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                sockets.Add((state < States.Length ? States[state] : fields[3], address.Length == 8 ? Ipv4(address) : Ipv6(address), fields[9]));
            }
        }

        return read ? sockets : null;
    }

    private static string Ipv4(string hex)
    {
        var value = uint.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return $"{value & 0xFF}.{(value >> 8) & 0xFF}.{(value >> 16) & 0xFF}.{value >> 24}";
    }

    // Four 32-bit words, each printed as the host-order value of four bytes in network order (little-endian: reversed).
    private static string Ipv6(string hex)
    {
        if (hex.Length != 32)
        {
            return "ipv6 " + hex;
        }

        var bytes = new byte[16];
        for (var i = 0; i < 16; i++)
        {
            var word = i / 4;
            var within = BitConverter.IsLittleEndian ? 3 - (i % 4) : i % 4;
            bytes[i] = byte.Parse(hex.AsSpan((word * 8) + (within * 2), 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        return new System.Net.IPAddress(bytes).ToString();
    }

    private static Dictionary<string, string> Owners(HashSet<string> inodes)
    {
        var owners = new Dictionary<string, string>();
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), out var pid))
            {
                continue;
            }

            foreach (var inode in SocketInodes(process).Where(inodes.Contains))
            {
                try
                {
                    var commandLine = File.ReadAllText(Path.Combine(process, "cmdline")).Replace('\0', ' ').Trim();
                    owners[inode] = $"pid {pid} ({(commandLine.Length > 160 ? commandLine[..160] + "…" : commandLine)})";
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The process ended while being read.
                }
            }
        }

        return owners;
    }

    // The inodes of the sockets a process (its /proc folder) has open; none when it ended or belongs to someone else.
    private static List<string> SocketInodes(string process)
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd"))
                .Select(descriptor => new FileInfo(descriptor).LinkTarget)
                .Where(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                .Select(target => target![8..^1])];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
