namespace EdgeRuntime.Worker.Configuration;

/// <summary>The daemon's top-level settings (configuration root keys).</summary>
public sealed class EdgeRuntimeOptions
{
    /// <summary>
    /// This device's id, one MQTT topic level. Default: the machine id (<c>/etc/machine-id</c>), else the
    /// host name.
    /// </summary>
    public string? DeviceId { get; set; }

    /// <summary>
    /// This device's tags: a staged version signed for a tag (<c>edgectl model publish --staged --tag canary</c>) is for
    /// the devices that carry it. Each one topic level like a device id. Default: none.
    /// </summary>
    public List<string> DeviceTags { get; set; } = [];

    /// <summary>
    /// Where the daemon keeps models, queues and plans. Default: systemd's <c>$STATE_DIRECTORY</c> or
    /// <c>/var/lib/edge-runtime</c> under systemd, <c>./state</c> otherwise.
    /// </summary>
    public string? StateDirectory { get; set; }
}

/// <summary>How the retained device status is kept fresh (<c>Status</c> section).</summary>
public sealed class StatusOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Status";

    /// <summary>Seconds between republishing the status (uptime, model states). Default 60.</summary>
    public int RefreshSeconds { get; set; } = 60;
}
