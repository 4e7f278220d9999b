using EdgeRuntime.Worker.Configuration.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeRuntime.Worker.Tests.Configuration;

[Collection(ProcessEnvironmentCollection.Name)]
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

    [Theory]
    [InlineData(typeof(int), "abc", "'abc' is not a whole number")]
    [InlineData(typeof(int), "99999999999", "'99999999999' is not a whole number")]
    [InlineData(typeof(double), "0,5", "'0,5' is not a number (a point for decimals, e.g. 0.5)")]
    [InlineData(typeof(bool), "yes", "'yes' is not true or false")]
    [InlineData(typeof(TimeSpan), "5min", "'5min' is not a duration: [d.]hh:mm:ss[.fff], e.g. 00:05:00 for five minutes")]
    [InlineData(typeof(DateTimeOffset), "tomorrow", "'tomorrow' is not a date and time, e.g. 2026-01-05T07:45:00+00:00")]
    [InlineData(typeof(DayOfWeek), "Funday", "'Funday' is unknown; allowed: Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday")]
    [InlineData(typeof(DayOfWeek), "9", "'9' is unknown; allowed: Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday")]
    [InlineData(typeof(TimeSpan), "60", "'60' would be 60 days; write a duration as [d.]hh:mm:ss[.fff], e.g. 00:01:00 for a minute (1.00:00:00 for a day)")]
    [InlineData(typeof(TimeSpan), "1.02:03:04", null)]
    [InlineData(typeof(TimeSpan), "00:00:00.200", null)]
    [InlineData(typeof(int), "42", null)]
    [InlineData(typeof(double), "0.5", null)]
    [InlineData(typeof(bool), "True", null)]
    [InlineData(typeof(TimeSpan), "00:05:00", null)]
    [InlineData(typeof(DayOfWeek), "monday", null)]
    [InlineData(typeof(int), "", "is empty; give a whole number, or unset it to keep the default")]
    [InlineData(typeof(int?), "", null)]
    [InlineData(typeof(int?), "x", "'x' is not a whole number")]
    [InlineData(typeof(string), "", null)]
    public void ValueProblem_SaysWhatToWrite_OrNothingWhenTheBinderWouldConvertIt(Type type, string value, string? expected) =>
        Assert.Equal(expected, UnknownKeyCheck.ValueProblem(type, value));

    [Fact]
    public void WithOrigin_ValidatorLine_NamesTheLayerThatWonOrNothingForDefaults()
    {
        var site = Directory.CreateTempSubdirectory("edge-origin-").FullName;
        try
        {
            var file = Path.Combine(site, "10-site.json");
            File.WriteAllText(file, """{ "Batching": { "MaxBatch": 0, "MaxWaitMilliseconds": 0 } }""");
            var builder = EdgeRuntimeHost.CreateBuilder(["--ConfigDirectory", site, "--Batching:MaxWaitMilliseconds", "-1"], shippedConfigDirectory: Path.Combine(TestEnvironment.RepositoryRoot, "configs"));

            Assert.Equal($"Batching:MaxBatch: 0 is out of range (set in {file})", EdgeRuntimeHost.WithOrigin(builder, "Batching:MaxBatch: 0 is out of range"));
            Assert.Equal("Batching:MaxWaitMilliseconds: -1 is negative (set by --Batching:MaxWaitMilliseconds)", EdgeRuntimeHost.WithOrigin(builder, "Batching:MaxWaitMilliseconds: -1 is negative"));
            Assert.Equal("Federated:DeviceKey: a device key file is required", EdgeRuntimeHost.WithOrigin(builder, "Federated:DeviceKey: a device key file is required"));

            // A shipped default (configs/edge-runtime.json) is not something the operator set: no file to blame.
            Assert.Equal("Mqtt:Reconnect:MaxDelayMilliseconds: 30000 is out of range", EdgeRuntimeHost.WithOrigin(builder, "Mqtt:Reconnect:MaxDelayMilliseconds: 30000 is out of range"));
            Assert.Equal("a pipeline needs at least one source: add one", EdgeRuntimeHost.WithOrigin(builder, "a pipeline needs at least one source: add one"));
        }
        finally
        {
            Directory.Delete(site, recursive: true);
        }
    }

    [Fact]
    public void Problems_ValueThatDoesNotConvertInAListElement_NamedInsteadOfDroppingTheElement()
    {
        // The binder drops a list element whose value does not convert; the daemon then said "needs at least one source".
        var problem = Assert.Single(Check(null, "--Pipelines:0:Sources:0:Loops:Interval", "5min"));

        Assert.Equal("Pipelines:0:Sources:0:Loops:Interval: '5min' is not a duration: [d.]hh:mm:ss[.fff], e.g. 00:05:00 for five minutes (set by --Pipelines:0:Sources:0:Loops:Interval)", problem);
    }

    [Theory]
    [InlineData("--Delivery:TrustedKeys", "/etc/edge-runtime/fleet.pub", "Delivery:TrustedKeys: '/etc/edge-runtime/fleet.pub' is a value, but Delivery:TrustedKeys is a list: write its entries as Delivery:TrustedKeys:0, Delivery:TrustedKeys:1, … (set by --Delivery:TrustedKeys)")]
    [InlineData("--Pipelines:0:Sources:0", "foo", "Pipelines:0:Sources:0: 'foo' is a value, but Pipelines:0:Sources:0 is a section: write its keys below it (")]
    [InlineData("--Mqtt", "localhost", "Mqtt: 'localhost' is a value, but Mqtt is a section: write its keys below it (")]
    public void Problems_ValueWhereAListOrSectionBelongs_NamedInsteadOfIgnored(string key, string value, string expected) =>
        Assert.StartsWith(expected, Assert.Single(Check(null, key, value)), StringComparison.Ordinal);

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
