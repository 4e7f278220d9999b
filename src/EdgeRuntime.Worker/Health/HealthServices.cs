using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Health;

/// <summary>Registers the health checks (broker, pipelines, models, disk), their monitor and its options.</summary>
internal static class HealthServices
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>();
        services.AddSingleton<HealthState>();
        services.AddSingleton<BrokerHealthCheck>();
        services.AddSingleton<PipelineHealthCheck>();
        services.AddSingleton<ModelHealthCheck>();
        services.AddSingleton<DiskSpaceHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<BrokerHealthCheck>("broker")
            .AddCheck<PipelineHealthCheck>("pipelines")
            .AddCheck<ModelHealthCheck>("models")
            .AddCheck<DiskSpaceHealthCheck>("disk");
    }
}
