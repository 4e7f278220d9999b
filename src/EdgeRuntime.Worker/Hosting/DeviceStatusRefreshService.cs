using EdgeRuntime.Messaging.Presence;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>Republishes the device status every Status:RefreshSeconds so uptime and health stay current.</summary>
internal sealed class DeviceStatusRefreshService(DevicePresence presence, IOptions<StatusOptions> options, TimeProvider timeProvider) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.RefreshSeconds), timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await presence.PublishOnlineAsync();
        }
    }
}
