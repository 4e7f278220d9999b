using EdgeRuntime.Worker.Configuration.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeRuntime.Worker.Tests.Configuration;

public sealed class UnknownKeyCheckTests
{
    private static IReadOnlyList<string> Check(Action<Microsoft.Extensions.Hosting.HostApplicationBuilder>? register, params string[] args)
    {
        var builder = EdgeRuntimeHost.CreateBuilder(args, shippedConfigDirectory: Path.Combine(TestEnvironment.RepositoryRoot, "configs"));
        register?.Invoke(builder);
        return EdgeRuntimeHost.UnknownConfigurationKeys(builder);
    }

    [Fact]
    public void Schema_DaemonServices_KnowsEverySectionTheDaemonBinds()
    {
        var builder = EdgeRuntimeHost.CreateBuilder([], shippedConfigDirectory: Path.Combine(TestEnvironment.RepositoryRoot, "configs"));
        var sections = ConfigurationSchema.BoundOptions(builder.Services).Select(b => b.Path).ToHashSet(StringComparer.Ordinal);

        // The root (DeviceId, StateDirectory, Pipelines) and every section bound with AddOptions<T>().Bind(GetSection(…)).
        Assert.Superset(new HashSet<string>(["", "Mqtt", "Status", "Delivery", "Serving", "Batching", "Results", "Health", "Metrics", "Learning"], StringComparer.Ordinal), sections);
    }

    [Fact]
    public void Problems_ShippedConfiguration_None() => Assert.Empty(Check(null));

    [Fact]
    public void Problems_NewSectionRegisteredTheUsualWay_AcceptedWithoutAList()
    {
        // What a new feature does (an anomaly detector, say): bind its options; the check learns its keys from them.
        static void Register(Microsoft.Extensions.Hosting.HostApplicationBuilder builder) =>
            builder.Services.AddOptions<SampleAnomalyOptions>().Bind(builder.Configuration.GetSection("Anomaly"));

        Assert.Empty(Check(Register, "--Anomaly:StepsPerRound", "5", "--Anomaly:Schedule:0:Hour", "3"));
        Assert.Equal(["--Anomaly:StepPerRound: unknown key; did you mean Anomaly:StepsPerRound?"], Check(Register, "--Anomaly:StepPerRound", "5"));
        Assert.StartsWith("--Anomaly: unknown key", Assert.Single(Check(null, "--Anomaly:StepsPerRound", "5")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Pipelines:first:Name", "--Pipelines:first: unknown key; Pipelines is a list, its entries are numbered (Pipelines:0, Pipelines:1, …)")]
    [InlineData("--Batching:MaxBtach", "--Batching:MaxBtach: unknown key; did you mean Batching:MaxBatch?")]
    [InlineData("--mqtt:tls:cafle", "--mqtt:tls:cafle: unknown key; did you mean mqtt:tls:CaFile?")]
    public void Problems_Typo_OneLineWithTheNearestKey(string key, string expected) =>
        Assert.Equal([expected], Check(null, key, "x"));

    [Theory]
    [InlineData("--Logging:LogLevel:MQTTnet.Client", "Debug")]
    [InlineData("--Pipelines:3:Stage:CountingLine:2", "0.5")]
    [InlineData("--MQTT:SERVER", "broker:1883")]
    public void Problems_KeysTheDaemonReads_None(string key, string value) => Assert.Empty(Check(null, key, value));

    [Theory]
    [InlineData("Sever", "Server")]
    [InlineData("StartsAt", "StartAt")]
    [InlineData("EmbededPort", "EmbeddedPort")]
    public void Nearest_Misspelling_TheIntendedKey(string typo, string intended) =>
        Assert.Equal(intended, UnknownKeyCheck.Nearest(typo, ["Server", "StartAt", "EmbeddedPort", "TopicRoot", "ClientId", "Seed"]));

    private sealed class SampleAnomalyOptions
    {
        public int StepsPerRound { get; set; }

        public List<SampleWindow> Schedule { get; set; } = [];
    }

    private sealed class SampleWindow
    {
        public int Hour { get; set; }
    }
}
