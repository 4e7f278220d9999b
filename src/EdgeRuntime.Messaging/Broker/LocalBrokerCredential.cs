using System.Security.Cryptography;
using EdgeRuntime.Core.IO;

namespace EdgeRuntime.Messaging.Broker;

/// <summary>
/// The credential local clients use on the embedded broker: user <see cref="Username"/>, and a password generated on
/// the daemon's first start and kept in <c>{StateDirectory}/broker/password</c> (first line; mode 0640, so the service
/// user and its group read it and nobody else). The daemon's own connection, edgectl on the same machine and
/// <c>mosquitto_sub -u local -P "$(cat …/broker/password)"</c> all log in with it; a local process that cannot read the
/// file cannot connect. Delete the file and restart the daemon to change the password.
/// </summary>
public static class LocalBrokerCredential
{
    /// <summary>The user name local clients log in with.</summary>
    public const string Username = "local";

    /// <summary>Random bytes in a password (hex-encoded, so it is safe in a shell and a config file): 256 bits.</summary>
    private const int PasswordBytes = 32;

    /// <summary>The password file of the daemon whose state directory is <paramref name="stateDirectory"/>.</summary>
    public static string PasswordFile(string stateDirectory) => Path.Combine(stateDirectory, "broker", "password");

    /// <summary>Reads the credential, creating it (and its folder) first when there is none.</summary>
    /// <exception cref="IOException">The file cannot be written or read.</exception>
    /// <exception cref="UnauthorizedAccessException">The state directory is not the daemon's to write.</exception>
    /// <exception cref="InvalidDataException">The file exists but holds no password.</exception>
    public static BrokerCredential LoadOrCreate(string stateDirectory)
    {
        var path = PasswordFile(stateDirectory);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PasswordBytes));

            // Written under another name with its final mode and renamed over: nobody sees a half-written or world-readable file.
            AtomicFile.WriteAllBytes(path, System.Text.Encoding.ASCII.GetBytes(password + "\n"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        }

        return Load(path);
    }

    /// <summary>Reads the credential from <paramref name="passwordFile"/>.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file is not readable by this user.</exception>
    /// <exception cref="InvalidDataException">The file holds no password.</exception>
    public static BrokerCredential Load(string passwordFile)
    {
        using var reader = new StreamReader(passwordFile);
        var password = reader.ReadLine()?.Trim();
        return string.IsNullOrEmpty(password)
            ? throw new InvalidDataException($"'{passwordFile}' holds no password (delete it and restart the daemon to make a new one)")
            : new BrokerCredential(Username, password);
    }
}
