using System.Security.Cryptography;
using System.Text;

namespace EdgeRuntime.Messaging.Broker;

/// <summary>A user name and password that a broker accepts; compared in constant time.</summary>
/// <param name="Username">The user name.</param>
/// <param name="Password">The password (printable ASCII).</param>
public sealed record BrokerCredential(string Username, string Password)
{
    /// <summary>Whether <paramref name="username"/> and <paramref name="password"/> are this credential.</summary>
    public bool Matches(string? username, ReadOnlySpan<byte> password) =>
        string.Equals(username, Username, StringComparison.Ordinal) &&
        CryptographicOperations.FixedTimeEquals(password, Encoding.UTF8.GetBytes(Password));

    /// <summary>The password is left out, so a credential never reaches a log by accident.</summary>
    public override string ToString() => $"{Username}:***";
}
