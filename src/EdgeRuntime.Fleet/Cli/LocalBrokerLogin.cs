using System.Net;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;

namespace EdgeRuntime.Fleet.Cli;

/// <summary>
/// Finds the local credential of a daemon's embedded broker on this machine (<see cref="LocalBrokerCredential"/>), so
/// that edgectl pointed at 127.0.0.1 logs in as a daemon's own tools do. The state directory comes from
/// <c>--state</c>, else the first of <c>$EDGE_StateDirectory</c>, <c>./state</c> (the daemon's default outside
/// systemd) and <c>/var/lib/edge-runtime</c> (under systemd) whose password file this user can read.
/// </summary>
internal static class LocalBrokerLogin
{
    /// <summary>The state directories looked in, in order.</summary>
    public static IReadOnlyList<string> Candidates(string? stateDirectory)
    {
        if (stateDirectory is { Length: > 0 })
        {
            return [stateDirectory];
        }

        return [.. new[] { Environment.GetEnvironmentVariable("EDGE_StateDirectory"), "state", "/var/lib/edge-runtime" }
            .Where(d => !string.IsNullOrWhiteSpace(d))
            .Select(d => Path.GetFullPath(d!))
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Whether <paramref name="endpoint"/> is this machine, where an embedded broker listens.</summary>
    public static bool IsThisMachine(BrokerEndpoint endpoint) =>
        string.Equals(endpoint.Host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(endpoint.Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The first readable password file among the candidates, or null; <paramref name="unreadable"/> names one that exists but this user cannot read.</summary>
    public static string? FindPasswordFile(string? stateDirectory, out string? unreadable)
    {
        unreadable = null;
        foreach (var directory in Candidates(stateDirectory))
        {
            var file = LocalBrokerCredential.PasswordFile(directory);
            try
            {
                LocalBrokerCredential.Load(file);
                return file;
            }
            catch (UnauthorizedAccessException)
            {
                unreadable ??= file;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                // Absent (or empty): the next candidate.
            }
        }

        return null;
    }

    /// <summary>What to add to a refusal for bad credentials from a broker on this machine.</summary>
    public const string RefusalHint =
        "; a daemon's embedded broker lets in only its local credential, which edgectl reads from STATE/broker/password " +
        "(STATE: --state, $EDGE_StateDirectory, ./state or /var/lib/edge-runtime; edgectl aggregator's --state is its own folder, so " +
        "there set EDGE_StateDirectory): run edgectl as a user who can read that file " +
        "(root, or the service's group edge-runtime), or pass --username local --password-file FILE";
}
