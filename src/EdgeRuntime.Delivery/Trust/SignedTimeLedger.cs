using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Delivery.Trust;

/// <summary>
/// The newest signed creation time the device has accepted (<c>trust/signed-time.json</c>), the floor for every expiry
/// check and the witness for the clock's standing (<see cref="SignedTime"/>). Updated when a newer signed document
/// arrives. Thread-safe.
/// </summary>
public sealed class SignedTimeLedger
{
    private readonly Lock _gate = new();
    private readonly string _path;
    private SignedTimeMark? _mark;

    /// <summary>Loads <paramref name="path"/>; a damaged file counts as absent (the floor comes back with the next signed document), with the reason in <paramref name="problem"/>.</summary>
    public SignedTimeLedger(string path, out string? problem)
    {
        _path = path;
        _mark = TrustFile.Read(path, TrustJsonContext.Default.SignedTimeFile, out problem) is { } file
            ? new SignedTimeMark(file.NewestCreatedAt, TimeSpan.FromSeconds(file.ValiditySeconds), file.ObservedAt)
            : null;
    }

    /// <summary>The mark now; null before any signed document was accepted.</summary>
    public SignedTimeMark? Mark
    {
        get
        {
            lock (_gate)
            {
                return _mark;
            }
        }
    }

    /// <summary>The floor for expiry checks.</summary>
    public DateTimeOffset Floor => SignedTime.Floor(Mark);

    /// <summary>Takes a signed document's times into account.</summary>
    /// <returns>True when it was the newest so far (the mark changed).</returns>
    /// <exception cref="IOException">The file could not be written; the new mark still applies until the process ends.</exception>
    public bool Observe(DateTimeOffset createdAt, DateTimeOffset expiresAt, DateTimeOffset deviceNow)
    {
        lock (_gate)
        {
            if (SignedTime.Observe(_mark, createdAt, expiresAt, deviceNow) is not { } next)
            {
                return false;
            }

            _mark = next;
            TrustFile.Write(_path, new SignedTimeFile(next.NewestCreatedAt, next.Validity.TotalSeconds, next.ObservedAt), TrustJsonContext.Default.SignedTimeFile);
            return true;
        }
    }
}
