namespace EdgeRuntime.Core.IO;

/// <summary>Recognises a write that failed for want of space (ENOSPC, EDQUOT), however .NET reports it.</summary>
public static class DiskErrors
{
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;
    private const int WindowsDiskFull = unchecked((int)0x80070070);

    /// <summary>Whether <paramref name="exception"/> is an out-of-space failure.</summary>
    public static bool IsOutOfSpace(IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.HResult is NoSpace or QuotaExceeded or WindowsDiskFull
            || exception.Message.Contains("No space left on device", StringComparison.Ordinal)
            || exception.Message.Contains("Disk quota exceeded", StringComparison.Ordinal);
    }
}
