using EdgeRuntime.Core.Learning;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Learning.OnDevice;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>Registers on-device learning: options (validated at start), the example store, the label joiner, the learner.</summary>
internal static class LearningServices
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Learning";

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LearningOptions>().Bind(configuration.GetSection(SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LearningOptions>, LearningOptionsValidator>();
        services.AddSingleton<LearningStatusBoard>();
        services.AddSingleton<InferenceLoadRelay>();

        // Opened on first use, so a device without forecast pipelines creates no database.
        services.AddSingleton(sp =>
        {
            var state = sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.StateDirectory!;
            return new LabelledExampleStore(Path.Combine(state, "learning.db")) { MaxExamplesPerModel = sp.GetRequiredService<IOptions<LearningOptions>>().Value.MaxStoredExamples };
        });
        services.AddSingleton(sp => new LabelJoiner(sp.GetRequiredService<LabelledExampleStore>()));
        services.AddSingleton(sp =>
        {
            var kernels = KernelUpdaters.ForBackground(sp.GetRequiredService<KernelAccelerator>());
            return new LocalLearner(
            sp.GetRequiredService<IOptions<LearningOptions>>().Value,
            sp.GetRequiredService<LabelledExampleStore>(),
            sp.GetRequiredService<ModelServer>(),
            sp.GetRequiredService<IModelActivator>(),
            sp.GetRequiredService<InferenceLoadRelay>(),
            sp.GetRequiredService<LearningStatusBoard>(),
            sp.GetRequiredService<IOptions<EdgeRuntimeOptions>>().Value.StateDirectory!,
            (parameters, training) => KernelUpdaters.Create(kernels, parameters, training),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LocalLearner>>(),
            FederatedServices.SinkFor(sp),
            kernels.WorkerCpuTime);
        });
    }

    private sealed class LearningOptionsValidator : IValidateOptions<LearningOptions>
    {
        public ValidateOptionsResult Validate(string? name, LearningOptions options) =>
            options.Check() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}

/// <summary>The pipelines' inference load, once they run (idle before).</summary>
internal sealed class InferenceLoadRelay : IInferenceLoad
{
    /// <summary>The running pipelines; set when they start.</summary>
    public IInferenceLoad? Source { get; set; }

    /// <inheritdoc />
    public InferenceLoad Current => Source?.Current ?? default;
}
