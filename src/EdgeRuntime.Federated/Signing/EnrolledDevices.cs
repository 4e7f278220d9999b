using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace EdgeRuntime.Federated.Signing;

/// <summary>
/// The devices an aggregator accepts updates from: a folder of public keys named by device id
/// (<c>{folder}/{deviceId}.pub</c>, PEM SubjectPublicKeyInfo). An update counts only when it is signed by the key
/// enrolled under the device id its header names, so one device cannot speak for another. A key added to the folder
/// is picked up when that device first sends (and again at most every <see cref="RecheckInterval"/> for an id not
/// found, so a flood of unknown ids costs no disk reads); removing the file and restarting revokes a device.
/// Thread-safe.
/// </summary>
public sealed class EnrolledDevices : IDisposable
{
    private readonly ConcurrentDictionary<string, (ECDsa Key, string KeyId)> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _missingSince = new(StringComparer.Ordinal);
    private readonly string? _folder;
    private readonly TimeProvider _timeProvider;

    private EnrolledDevices(string? folder, TimeProvider timeProvider)
    {
        _folder = folder;
        _timeProvider = timeProvider;
    }

    /// <summary>How long an id with no key file is remembered as missing before the folder is looked at again.</summary>
    public static TimeSpan RecheckInterval { get; } = TimeSpan.FromSeconds(30);

    /// <summary>The enrolled device ids seen so far.</summary>
    public IReadOnlyCollection<string> Devices => [.. _keys.Keys];

    /// <summary>Reads keys from <paramref name="folder"/> on demand.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static EnrolledDevices FromFolder(string folder, TimeProvider timeProvider)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"enrolled-devices folder '{folder}' does not exist");
        }

        return new EnrolledDevices(folder, timeProvider);
    }

    /// <summary>Enrols keys held in memory (simulations and tests).</summary>
    public static EnrolledDevices Of(IEnumerable<(string DeviceId, string PublicKeyPem)> devices, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        var enrolled = new EnrolledDevices(null, timeProvider ?? TimeProvider.System);
        foreach (var (id, pem) in devices)
        {
            enrolled.Enrol(id, pem);
        }

        return enrolled;
    }

    /// <summary>Enrols (or replaces) one device's key.</summary>
    /// <exception cref="InvalidDataException">The PEM is not a P-256 public key.</exception>
    public void Enrol(string deviceId, string publicKeyPem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(publicKeyPem);
            if (key.KeySize != 256)
            {
                throw new InvalidDataException($"the key of device '{deviceId}' is not an ECDSA P-256 key");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"the key of device '{deviceId}' is not an ECDSA P-256 public key in PEM: {ex.Message}", ex);
        }

        if (_keys.TryGetValue(deviceId, out var old))
        {
            old.Key.Dispose();
        }

        _keys[deviceId] = (key, KeyIds.Of(key));
        _missingSince.TryRemove(deviceId, out _);
    }

    /// <summary>Whether <paramref name="signature"/> over <paramref name="data"/> is by the key enrolled for <paramref name="deviceId"/>.</summary>
    /// <returns>Null when it is; otherwise why not, in a few words.</returns>
    public string? Check(string deviceId, string keyId, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (!TryGet(deviceId, out var enrolled))
        {
            return $"device '{deviceId}' is not enrolled";
        }

        if (!string.Equals(enrolled.KeyId, keyId, StringComparison.Ordinal))
        {
            return $"signed with key {keyId}, not device '{deviceId}''s enrolled key {enrolled.KeyId}";
        }

        return enrolled.Key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? null
            : "bad signature";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (key, _) in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
    }

    private bool TryGet(string deviceId, out (ECDsa Key, string KeyId) enrolled)
    {
        if (_keys.TryGetValue(deviceId, out enrolled))
        {
            return true;
        }

        if (_folder is null || !IsFileName(deviceId))
        {
            return false;
        }

        var now = _timeProvider.GetTimestamp();
        if (_missingSince.TryGetValue(deviceId, out var since) && _timeProvider.GetElapsedTime(since, now) < RecheckInterval)
        {
            return false;
        }

        var path = Path.Combine(_folder, deviceId + ".pub");
        try
        {
            Enrol(deviceId, File.ReadAllText(path));
            return _keys.TryGetValue(deviceId, out enrolled);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            _missingSince[deviceId] = now;
            return false;
        }
    }

    private static bool IsFileName(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') && id != "." && id != "..";
}
