using System.CommandLine;
using EdgeRuntime.Core;
using EdgeRuntime.Fleet.Commands;
using EdgeRuntime.Fleet.Federated;
using EdgeRuntime.Fleet.Keys;
using EdgeRuntime.Fleet.Learning;
using EdgeRuntime.Fleet.Models;
using EdgeRuntime.Fleet.Optimize;
using EdgeRuntime.Fleet.Plot;
using EdgeRuntime.Fleet.Status;

namespace EdgeRuntime.Fleet.Cli;

/// <summary>The edgectl command tree. Each verb lives in its own folder and adds itself here.</summary>
public static class EdgectlCommand
{
    /// <summary>Builds the root command with every verb.</summary>
    /// <param name="timeProvider">Clock for ages and timeouts (tests pass a fake one).</param>
    /// <param name="clearScreenOnRefresh">Whether --watch may redraw in place (true only for a terminal).</param>
    public static RootCommand Create(TimeProvider? timeProvider = null, bool clearScreenOnRefresh = false)
    {
        var root = new RootCommand($"edgectl {RuntimeVersion.Current}: manage EdgeRuntime devices over MQTT");
        root.Add(StatusCommand.Create(timeProvider ?? TimeProvider.System, clearScreenOnRefresh));
        root.Add(OptimizeCommand.Create());
        root.Add(OptimizeCommand.CreatePassList());
        root.Add(Plan.PlanCommand.Create());
        root.Add(KeysCommand.Create());
        var model = ModelPublishCommand.Create(timeProvider ?? TimeProvider.System);
        model.Add(ModelCreateCommand.Create());
        root.Add(model);
        root.Add(TrainCommand.Create());
        root.Add(DeviceCommandVerbs.CreateDeploy(timeProvider ?? TimeProvider.System));
        root.Add(DeviceCommandVerbs.CreateRollback(timeProvider ?? TimeProvider.System));
        root.Add(DeviceCommandVerbs.CreateRepair(timeProvider ?? TimeProvider.System));
        root.Add(PlotCommand.Create(timeProvider ?? TimeProvider.System));
        root.Add(AggregatorCommand.Create(timeProvider ?? TimeProvider.System));
        root.Add(SimulateCommand.Create());
        root.Add(Broker.BrokerCredentialCommand.Create());
        return root;
    }
}
