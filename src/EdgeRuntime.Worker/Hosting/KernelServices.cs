using EdgeRuntime.Core.Compute;
using EdgeRuntime.Core.Vision;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Kernels.Configuration;
using EdgeRuntime.Kernels.Vision;
using EdgeRuntime.Sensors.Camera;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>
/// The ILGPU kernels' services: <see cref="KernelOptions"/> (validated at start), the one
/// <see cref="KernelAccelerator"/> (made on first use, disposed with the container), and the frame pre-processor
/// factory the detector stages use, chosen by <see cref="FramePreprocessorSelection"/>.
/// </summary>
internal static partial class KernelServices
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        KernelOptionsBinding.Add(services, configuration);
        services.AddSingleton(sp => KernelAccelerator.Create(
            sp.GetRequiredService<IOptions<KernelOptions>>().Value.Accelerator,
            sp.GetRequiredService<ILogger<KernelAccelerator>>()));
        services.AddSingleton(ChooseFramePreprocessors);
    }

    private static IFramePreprocessorFactory ChooseFramePreprocessors(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<KernelOptions>>().Value;
        var logger = services.GetRequiredService<ILogger<KernelAccelerator>>();

        // Under Auto a device without CUDA decides from the probe alone, without starting an ILGPU context.
        var plan = AcceleratorPolicy.Decide(options.Accelerator, AcceleratorPolicy.NeedsProbe(options.Accelerator) ? CudaProbe.Probe() : null);
        KernelAccelerator? kernels = null;
        if (FramePreprocessorSelection.NeedsAccelerator(options.FramePreprocessing, plan))
        {
            kernels = services.GetRequiredService<KernelAccelerator>();
        }

        AcceleratorKind? kind = kernels?.Kind;
        IFramePreprocessorFactory factory = FramePreprocessorSelection.UseKernel(options.FramePreprocessing, kind)
            ? new KernelFramePreprocessorFactory(kernels!)
            : ManagedFramePreprocessorFactory.Instance;
        var reason = FramePreprocessorSelection.Reason(options.FramePreprocessing, kind);
        if (kernels is null && plan.FallbackReason is { } notCuda)
        {
            // No accelerator was started, so this is the only line that says why CUDA is not used.
            reason = $"{reason}; CUDA not used: {notCuda}";
        }

        LogFramePreprocessing(logger, factory.Description, reason);
        return factory;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Frame pre-processing: {Preprocessor} ({Reason})")]
    private static partial void LogFramePreprocessing(ILogger logger, string preprocessor, string reason);
}
