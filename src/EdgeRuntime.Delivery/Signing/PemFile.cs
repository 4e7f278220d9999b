namespace EdgeRuntime.Delivery.Signing;

/// <summary>Reads key files, turning IO failures into one-line <see cref="SigningKeyException"/>s.</summary>
internal static class PemFile
{
    /// <summary>The text of <paramref name="path"/>; <paramref name="what"/> names the key in the error ("signing key").</summary>
    public static string Read(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SigningKeyException($"cannot read {what} '{path}': {ex.Message}", ex);
        }
    }
}
