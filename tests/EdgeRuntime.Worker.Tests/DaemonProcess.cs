using System.Text;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Testing.Mqtt;
using EdgeRuntime.Testing.Processes;

namespace EdgeRuntime.Worker.Tests;

/// <summary>
/// The real edge-runtime executable, started as a user or systemd would start it, with configuration in
/// EDGE_ environment variables and its own state directory. Dispose kills it.
/// </summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    private readonly string _stateDirectory;
    private readonly bool _ownsStateDirectory;

    private DaemonProcess(ChildProcess process, string deviceId, string stateDirectory, bool ownsStateDirectory)
    {
        Process = process;
        DeviceId = deviceId;
        _stateDirectory = stateDirectory;
        _ownsStateDirectory = ownsStateDirectory;
    }

    /// <summary>Its state directory (models, downloads).</summary>
    public string StateDirectory => _stateDirectory;

    /// <summary>The client id it connects with.</summary>
    public string ClientId => $"edge-runtime-{DeviceId}";

    public string EventsTopic => $"edge/devices/{DeviceId}/events";

    public ChildProcess Process { get; }

    public string DeviceId { get; }

    public string StatusTopic => $"edge/devices/{DeviceId}/status";

    /// <summary>The local credential of its embedded broker (written when the broker starts).</summary>
    public MqttLogin Login => MqttLogin.LocalOf(StateDirectory);

    /// <summary>The daemon assembly the Worker project built (its configs/ folder beside it).</summary>
    public static string AssemblyPath => EdgeRuntimeBinaries.Daemon;

    /// <summary>Starts the daemon; with <paramref name="stateDirectory"/> it reuses that one (a restart) and leaves it behind.</summary>
    public static DaemonProcess Start(IReadOnlyDictionary<string, string?> settings, string? deviceId = null, string? stateDirectory = null, IEnumerable<string>? arguments = null)
    {
        Assert.True(File.Exists(AssemblyPath), $"the daemon is not built: {AssemblyPath}");
        deviceId ??= $"test-{Guid.NewGuid():N}"[..20];
        var owns = stateDirectory is null;
        stateDirectory ??= Directory.CreateTempSubdirectory("edge-state-").FullName;
        var environment = new Dictionary<string, string?>
        {
            ["EDGE_DeviceId"] = deviceId,
            ["EDGE_StateDirectory"] = stateDirectory,
            ["EDGE_Mqtt__Reconnect__InitialDelayMilliseconds"] = "50",
            ["EDGE_Mqtt__Reconnect__MaxDelayMilliseconds"] = "500",
            ["EDGE_Logging__Console__FormatterName"] = "simple",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };

        // A daemon sees only the EDGE_ variables its test gives it (and the suite's EDGE_SHARED_MODELS): one a parallel
        // test sets in this process for a moment (ConfigurationLayersTests) would be an unknown key to it.
        foreach (var inherited in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (inherited.StartsWith("EDGE_", StringComparison.OrdinalIgnoreCase) && !inherited.Equals("EDGE_SHARED_MODELS", StringComparison.OrdinalIgnoreCase))
            {
                environment.TryAdd(inherited, null);
            }
        }

        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        // A shell that runs the suite as a background job hands every child SIGINT ignored, and by convention a
        // daemon started that way keeps ignoring it. Start it with SIGINT at its default, as from a terminal, so the
        // tests can stop it the way Ctrl-C does (env execs dotnet: same process id).
        var process = ChildProcess.Start("env", ["--default-signal=INT", "dotnet", AssemblyPath, .. arguments ?? []], environment, workingDirectory: stateDirectory);
        return new DaemonProcess(process, deviceId, stateDirectory, owns);
    }

    /// <summary>Runs <c>edge-runtime ARGUMENTS</c> to its end (a verb such as health, or --help) with the same environment as a daemon.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(IReadOnlyDictionary<string, string?> settings, string? stateDirectory, params string[] arguments)
    {
        await using var run = Start(settings, stateDirectory: stateDirectory, arguments: arguments);
        var exit = await run.Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, string.Join('\n', run.Process.StandardOutput.Concat(run.Process.StandardError)));
    }

    /// <summary>
    /// Starts the daemon with a fresh <see cref="FreeTcpPort"/> port in each of <paramref name="portSettings"/> (such as
    /// <c>EDGE_Metrics__Prometheus__Port</c>) and waits until it listens on all of them, or has exited.
    /// </summary>
    /// <remarks>
    /// The daemon binds its ports a second or more after FreeTcpPort saw them free. Should another process take one in
    /// that time, the daemon exits saying the port "is already in use": that start is written to the test output and to
    /// <see cref="CiSummary"/> with the port's holder, and the daemon is started again on fresh ports (three tries).
    /// Any other exit is returned as it is, for the test to report.
    /// </remarks>
    public static Task<(DaemonProcess Daemon, IReadOnlyDictionary<string, int> Ports)> StartListeningAsync(
        IReadOnlyDictionary<string, string?> settings, params string[] portSettings) =>
        StartListeningAsync(settings, FreeTcpPort.Next, portSettings);

    /// <summary>As <see cref="StartListeningAsync(IReadOnlyDictionary{string, string?}, string[])"/>, with the ports from <paramref name="nextPort"/>.</summary>
    public static async Task<(DaemonProcess Daemon, IReadOnlyDictionary<string, int> Ports)> StartListeningAsync(
        IReadOnlyDictionary<string, string?> settings, Func<int> nextPort, params string[] portSettings)
    {
        const int Tries = 3;
        for (var attempt = 1; ; attempt++)
        {
            var ports = portSettings.ToDictionary(setting => setting, _ => nextPort());
            var withPorts = new Dictionary<string, string?>(settings);
            foreach (var (setting, port) in ports)
            {
                withPorts[setting] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            // Listening means the daemon's own socket: a port another process took first answers too, until the daemon
            // exits on it.
            var daemon = Start(withPorts);
            await Eventually.TrueAsync(
                () => daemon.Process.HasExited || ports.Values.All(port => PortHolders.IsListenedBy(port, daemon.Process.Id) ?? FreeTcpPort.IsListeningAsync(port).GetAwaiter().GetResult()),
                $"the daemon to listen on {string.Join(", ", ports.Select(p => $"{p.Key}={p.Value}"))}",
                TimeSpan.FromSeconds(90));
            var taken = daemon.Process.HasExited
                ? ports.FirstOrDefault(p => daemon.Process.StandardError.Any(line => line.Contains($"port {p.Value} on 127.0.0.1 is already in use", StringComparison.Ordinal)))
                : default;
            if (taken.Key is null || attempt == Tries)
            {
                return (daemon, ports);
            }

            var holders = PortHolders.Describe(taken.Value);
            CiSummary.Report($"{taken.Key}={taken.Value} was taken before the daemon bound it (try {attempt} of {Tries}); now held by: {(holders.Count == 0 ? "nobody" : string.Join("; ", holders))}");
            await daemon.DisposeAsync();
        }
    }

    /// <summary>Starts the daemon on its embedded broker, on a fresh port, and waits until the broker listens (or the daemon exited).</summary>
    public static async Task<(DaemonProcess Daemon, int Port)> StartWithEmbeddedBrokerAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var (daemon, ports) = await StartListeningAsync(settings ?? new Dictionary<string, string?>(), "EDGE_Mqtt__EmbeddedPort");
        return (daemon, ports["EDGE_Mqtt__EmbeddedPort"]);
    }

    public static DaemonProcess StartWithBroker(string address) =>
        Start(new Dictionary<string, string?> { ["EDGE_Mqtt__Server"] = address });

    public static DeviceStatus Parse(ObservedMessage message) =>
        DeviceStatusJson.TryParse(Encoding.UTF8.GetBytes(message.Payload), out var error) ?? throw new InvalidOperationException($"not a status: {error}");

    public bool IsStatus(ObservedMessage message, DeviceState state) =>
        message.Topic == StatusTopic && Parse(message).State == state;

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();

        // A failed test shows its output: what the daemon logged tells why it did not get where the test waited for.
        TestContext.Current.TestOutputHelper?.WriteLine($"--- edge-runtime {DeviceId} output ---\n{Process.DescribeOutput()}");
        if (!_ownsStateDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
