using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Health;

/// <summary>
/// Free space on the state directory's file system (models, downloads, results): unhealthy below
/// <see cref="HealthOptions.MinFreeDiskMegabytes"/>, degraded below four times that.
/// </summary>
internal sealed class DiskSpaceHealthCheck(IOptions<EdgeRuntimeOptions> runtime, IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long free;
        try
        {
            free = new DriveInfo(Path.GetFullPath(runtime.Value.StateDirectory!)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"cannot read the free space of {runtime.Value.StateDirectory}: {ex.Message}"));
        }

        return Task.FromResult(Evaluate(free, options.Value.MinFreeDiskMegabytes));
    }

    internal static HealthCheckResult Evaluate(long freeBytes, int minimumMegabytes)
    {
        var freeMegabytes = freeBytes / (1024 * 1024);
        var description = $"{freeMegabytes} MB free";
        return freeMegabytes < minimumMegabytes ? HealthCheckResult.Unhealthy($"{description}, below {minimumMegabytes} MB")
            : freeMegabytes < 4L * minimumMegabytes ? HealthCheckResult.Degraded($"{description}, below {4L * minimumMegabytes} MB")
            : HealthCheckResult.Healthy(description);
    }
}
