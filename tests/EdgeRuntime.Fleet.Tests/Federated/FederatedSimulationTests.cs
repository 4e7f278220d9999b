using EdgeRuntime.Fleet.Federated.Simulation;

namespace EdgeRuntime.Fleet.Tests.Federated;

public sealed class FederatedSimulationTests
{
    [Fact]
    public void CountWaited_ChecksMillisecondsApart_CountInFull()
    {
        var waited = TimeSpan.Zero;
        for (var i = 0; i < 1000; i++)
        {
            waited = FederatedSimulation.CountWaited(waited, TimeSpan.FromMilliseconds(3));
        }

        Assert.Equal(TimeSpan.FromSeconds(3), waited);
    }

    [Fact]
    public void CountWaited_AProcessStoppedForMinutes_CountsOneSecondNotTheTimeout()
    {
        // A latency benchmark stops other processes with SIGSTOP for minutes: the fleet did not fail to settle, the
        // whole process (broker, aggregator and devices alike) was not running.
        var waited = FederatedSimulation.CountWaited(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(4));

        Assert.Equal(TimeSpan.FromSeconds(11), waited);
        Assert.Equal(TimeSpan.FromSeconds(10), FederatedSimulation.CountWaited(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(-5)));
    }
}
