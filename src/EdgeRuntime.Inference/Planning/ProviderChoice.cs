using EdgeRuntime.Core.Devices;

namespace EdgeRuntime.Inference.Planning;

/// <summary>The execution provider a device serves on, and the one line that says so when it is not the one asked for.</summary>
/// <param name="Provider">The provider sessions are built for.</param>
/// <param name="Fallback">Why the requested provider is not used (one line); null when it is, or when none was requested.</param>
public sealed record ProviderChoice(ExecutionProvider Provider, string? Fallback)
{
    /// <summary>
    /// Resolves a request against the probe: null asks for the best that loads (TensorRT → CUDA → CPU); a named provider
    /// is used when it loads, else the best that does, with a line naming the request and the probe's reason. Pure.
    /// </summary>
    public static ProviderChoice Resolve(ExecutionProvider? requested, DeviceProfile device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (requested is not { } wanted)
        {
            return new ProviderChoice(device.BestProvider, null);
        }

        var probe = device.Providers.FirstOrDefault(p => p.Provider == wanted);
        if (probe is { Available: true } || wanted == ExecutionProvider.Cpu)
        {
            return new ProviderChoice(wanted, null);
        }

        var fallback = device.BestProvider;
        return new ProviderChoice(fallback, $"{wanted} was asked for but is not available here ({probe?.Reason ?? "not probed"}); models run on {fallback}");
    }
}
