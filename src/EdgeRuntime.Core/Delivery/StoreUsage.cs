namespace EdgeRuntime.Core.Delivery;

/// <summary>Disk use as the quota counts it.</summary>
/// <param name="UsedBytes">Bytes in the model store and the downloads folder together.</param>
/// <param name="QuotaBytes">Delivery:StoreQuotaMegabytes in bytes.</param>
/// <param name="FreeBytes">Free space on the file system that holds them.</param>
public sealed record StoreUsage(long UsedBytes, long QuotaBytes, long FreeBytes);
