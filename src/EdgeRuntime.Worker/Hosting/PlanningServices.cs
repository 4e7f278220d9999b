using EdgeRuntime.Core.Planning;
using EdgeRuntime.Inference.Planning;
using EdgeRuntime.Inference.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Hosting;

/// <summary>Registers plan search and its status: the board the device status reads, the planner the activator asks.</summary>
internal static class PlanningServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<PlanStatusBoard>();
        services.AddSingleton(sp => new ModelPlanner(
            sp.GetRequiredService<IOptions<ServingOptions>>().Value,
            sp.GetRequiredService<PlanStatusBoard>(),
            sp.GetRequiredService<ILogger<ModelPlanner>>()));
    }
}
