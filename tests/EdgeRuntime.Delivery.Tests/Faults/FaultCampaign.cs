using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Tests.Faults;

/// <summary>
/// One fault-injection campaign against one broker: 24 randomly placed faults with the delivery stack in the test
/// process, then 10 with the daemon as a child process, each followed by recovery and a check of every invariant. The
/// seed is printed (set DELIVERY_FAULT_SEED to replay a run), and so is the summary line
/// <c>{broker}: faults N, recovered N, violations 0</c> (see <see cref="Publish"/>).
/// </summary>
internal static class FaultCampaign
{
    public const int InProcessFaults = 24;
    public const int DaemonFaults = 10;

    public static async Task<FaultLedger> RunAsync(string broker)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("DELIVERY_FAULT_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        var random = new Random(seed);
        var ledger = new FaultLedger(broker, seed);
        var folder = Directory.CreateTempSubdirectory("edge-fault-keys-").FullName;
        using var key = SigningKey.Create();
        key.Save(Path.Combine(folder, "fleet"));
        try
        {
            var version = await new InProcessCampaign(ledger, random, key).RunAsync(broker, InProcessFaults, version: 0);
            await new DaemonCampaign(ledger, random, key, Path.Combine(folder, "fleet.pub")).RunAsync(broker, DaemonFaults, version);
        }
        finally
        {
            TestContext.Current.TestOutputHelper?.WriteLine(ledger.Report());
            Publish(ledger);
            Directory.Delete(folder, recursive: true);
        }

        return ledger;
    }

    /// <summary>
    /// The summary line goes to the test's output and to <see cref="CiSummary"/>, which <c>.ci/run</c> prints after the
    /// run, since a test run shows the output of failed tests only.
    /// </summary>
    private static void Publish(FaultLedger ledger)
    {
        var line = $"delivery fault campaign, {ledger.Summary}";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        CiSummary.Append(line);
    }

    public static void AssertHeld(FaultLedger ledger)
    {
        Assert.True(ledger.Violations.Count == 0, ledger.Report());
        Assert.Equal(InProcessFaults + DaemonFaults, ledger.Faults);
        Assert.Equal(ledger.Faults, ledger.Recovered);
    }
}
