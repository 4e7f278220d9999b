namespace EdgeRuntime.Core.Delivery;

/// <summary>A partial download lying in the downloads folder.</summary>
/// <param name="Version">The version it is for.</param>
/// <param name="Sha256Prefix">The first 12 hex digits of the file's signed sha256 (a republished version has another).</param>
/// <param name="Bytes">Bytes it holds on disk (the partial file at its final length, and its journal).</param>
/// <param name="LastWrite">When a chunk was last written into it.</param>
public sealed record DownloadOnDisk(long Version, string Sha256Prefix, long Bytes, DateTimeOffset LastWrite);
