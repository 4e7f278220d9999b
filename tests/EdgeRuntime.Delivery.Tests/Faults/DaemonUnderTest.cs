using System.Globalization;
using EdgeRuntime.Testing.Processes;

namespace EdgeRuntime.Delivery.Tests.Faults;

/// <summary>
/// The real edge-runtime executable as a child process, so it can be killed with SIGKILL mid-download or mid-swap and
/// started again on the same state directory. Pipelines are off (delivery is what is under test); settings are short
/// (2 s chunk timeout, 1 s first retry). Dispose kills it and removes its state directory.
/// </summary>
internal sealed class DaemonUnderTest : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _environment;
    private ChildProcess? _process;

    public DaemonUnderTest(string trustedKey, string? brokerAddress, int? embeddedPort)
    {
        StateDirectory = Directory.CreateTempSubdirectory("edge-fault-daemon-").FullName;
        _environment = new Dictionary<string, string?>
        {
            ["EDGE_DeviceId"] = DeviceId,
            ["EDGE_StateDirectory"] = StateDirectory,
            ["EDGE_Delivery__TrustedKeys__0"] = trustedKey,
            ["EDGE_Delivery__ChunkTimeoutSeconds"] = "2",
            ["EDGE_Delivery__RetryDelaySeconds"] = "1",
            ["EDGE_Delivery__MaxRetryDelaySeconds"] = "4",
            ["EDGE_Delivery__StoreQuotaMegabytes"] = QuotaMegabytes.ToString(CultureInfo.InvariantCulture),
            ["EDGE_Pipelines__0__Enabled"] = "false",
            ["EDGE_Serving__OptimizationLevel"] = "O1",
            ["EDGE_Serving__MeasureVariants"] = "false",
            ["EDGE_Serving__WarmupRuns"] = "1",
            ["EDGE_Mqtt__Reconnect__InitialDelayMilliseconds"] = "50",
            ["EDGE_Mqtt__Reconnect__MaxDelayMilliseconds"] = "300",
            ["EDGE_Logging__Console__FormatterName"] = "simple",
            ["EDGE_Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        if (brokerAddress is not null)
        {
            _environment["EDGE_Mqtt__Server"] = brokerAddress;
        }
        else
        {
            _environment["EDGE_Mqtt__EmbeddedPort"] = embeddedPort!.Value.ToString(CultureInfo.InvariantCulture);
        }
    }

    public const int QuotaMegabytes = 4;

    public string DeviceId { get; } = $"fault-{Guid.NewGuid():N}"[..18];

    public string StateDirectory { get; }

    public bool Running => _process is { HasExited: false };

    /// <summary>When the current process was started: a status document from before it (retained by the broker) is stale.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    public void Start()
    {
        StartedAt = TimeProvider.System.GetUtcNow();
        Assert.True(File.Exists(EdgeRuntimeBinaries.Daemon), $"the daemon is not built: {EdgeRuntimeBinaries.Daemon}");
        _process = ChildProcess.Start("env", ["--default-signal=INT", "dotnet", EdgeRuntimeBinaries.Daemon], _environment, workingDirectory: StateDirectory);
    }

    /// <summary>SIGKILL: no clean-up, no last words.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.KillHardAsync();
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public string Output() => _process?.DescribeOutput() ?? "(not running)";

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
