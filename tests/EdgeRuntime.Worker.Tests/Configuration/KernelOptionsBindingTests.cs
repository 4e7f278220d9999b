using EdgeRuntime.Core.Compute;
using EdgeRuntime.Kernels.Configuration;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Tests.Configuration;

public sealed class KernelOptionsBindingTests
{
    private static KernelOptions Bind(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        KernelOptionsBinding.Add(services, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider().GetRequiredService<IOptions<KernelOptions>>().Value;
    }

    [Fact]
    public void Kernels_NotConfigured_AutoAndAuto()
    {
        var options = Bind([]);
        Assert.Equal(KernelPreference.Auto, options.Accelerator);
        Assert.Equal(FramePreprocessingMode.Auto, options.FramePreprocessing);
    }

    [Fact]
    public void Kernels_ValuesInAnyCase_Bound()
    {
        var options = Bind(new() { ["Kernels:Accelerator"] = "cuda", ["Kernels:FramePreprocessing"] = "CSHARP" });
        Assert.Equal(KernelPreference.Cuda, options.Accelerator);
        Assert.Equal(FramePreprocessingMode.CSharp, options.FramePreprocessing);
    }

    [Theory]
    [InlineData("Kernels:Accelerator", "Gpu", "Kernels:Accelerator: 'Gpu' is unknown; allowed: Auto, Cpu, Cuda")]
    [InlineData("Kernels:Accelerator", "2", "Kernels:Accelerator: '2' is unknown; allowed: Auto, Cpu, Cuda")]
    [InlineData("Kernels:FramePreprocessing", "Fast", "Kernels:FramePreprocessing: 'Fast' is unknown; allowed: Auto, CSharp, Kernel")]
    public void Kernels_UnknownValue_OneLineWithAllowedValues(string key, string value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));
        Assert.Equal(expected, Assert.Single(error.Failures));
    }
}
