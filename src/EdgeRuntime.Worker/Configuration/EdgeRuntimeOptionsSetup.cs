using EdgeRuntime.Core.Devices;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Configuration;

/// <summary>Fills in the defaults that depend on the machine (device id, state directory).</summary>
internal sealed class EdgeRuntimeOptionsSetup : IPostConfigureOptions<EdgeRuntimeOptions>
{
    public void PostConfigure(string? name, EdgeRuntimeOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DeviceId))
        {
            options.DeviceId = DeviceId.FromMachine();
        }

        if (string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            options.StateDirectory = DefaultStateDirectory(SystemdHelpers.IsSystemdService(), Environment.GetEnvironmentVariable("STATE_DIRECTORY"));
        }
    }

    /// <summary>systemd's StateDirectory= (first entry) or /var/lib/edge-runtime under systemd; ./state otherwise.</summary>
    internal static string DefaultStateDirectory(bool underSystemd, string? systemdStateDirectory)
    {
        if (!underSystemd)
        {
            return Path.GetFullPath("state");
        }

        var first = systemdStateDirectory?.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return string.IsNullOrEmpty(first) ? "/var/lib/edge-runtime" : first;
    }
}

/// <summary>Checks the top-level settings; each failure names the key, the value and what is allowed.</summary>
internal sealed class EdgeRuntimeOptionsValidator : IValidateOptions<EdgeRuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeRuntimeOptions options)
    {
        var failures = new List<string>();
        if (!DeviceId.IsValid(options.DeviceId))
        {
            failures.Add($"DeviceId: '{options.DeviceId}' is not usable as a topic level; allowed: {DeviceId.AllowedDescription}");
        }

        for (var i = 0; i < options.DeviceTags.Count; i++)
        {
            if (!DeviceId.IsValid(options.DeviceTags[i]))
            {
                failures.Add($"DeviceTags:{i}: '{options.DeviceTags[i]}' is not a tag; allowed: {DeviceId.AllowedDescription}");
            }
        }

        if (options.StateDirectory is { } directory && directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"StateDirectory: '{directory}' is not a valid path");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Checks the status settings.</summary>
internal sealed class StatusOptionsValidator : IValidateOptions<StatusOptions>
{
    public ValidateOptionsResult Validate(string? name, StatusOptions options) =>
        options.RefreshSeconds is < 1 or > 86_400
            ? ValidateOptionsResult.Fail($"{StatusOptions.SectionName}:RefreshSeconds: {options.RefreshSeconds} is out of range; allowed: 1-86400")
            : ValidateOptionsResult.Success;
}
