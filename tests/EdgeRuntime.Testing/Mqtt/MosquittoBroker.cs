using EdgeRuntime.Testing.Processes;

namespace EdgeRuntime.Testing.Mqtt;

/// <summary>
/// A real Mosquitto broker on 127.0.0.1 with a config file of its own, for one test. It can be killed
/// (SIGKILL) and started again on the same port. Skips the test (fails it under CI) when Mosquitto is not
/// installed. Dispose to stop it.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _configPath;
    private ChildProcess? _process;

    private MosquittoBroker(string directory, int port, string configPath)
    {
        _directory = directory;
        Port = port;
        _configPath = configPath;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The broker as <c>host:port</c>, the form Mqtt:Server takes.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The folder holding its config and log.</summary>
    public string Directory => _directory;

    /// <summary>Starts a broker; <paramref name="extraConfig"/> lines are appended to its config (after the listener).</summary>
    /// <param name="extraConfig">Extra mosquitto.conf lines, e.g. "max_inflight_messages 3".</param>
    /// <param name="listenerOptions">Lines that belong to the listener (TLS settings).</param>
    public static async Task<MosquittoBroker> StartAsync(IEnumerable<string>? extraConfig = null, IEnumerable<string>? listenerOptions = null)
    {
        ExternalTool.Require("mosquitto");
        const int Tries = 3;
        for (var attempt = 1; ; attempt++)
        {
            var directory = System.IO.Directory.CreateTempSubdirectory("edge-mosquitto-").FullName;

            // Started as root (CI), mosquitto drops to its own user, which must still write its log here.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
            }

            var port = FreeTcpPort.Next();
            var lines = new List<string>
            {
                "per_listener_settings false",
                "allow_anonymous true",
                $"log_dest file {Path.Combine(directory, "mosquitto.log")}",
                "log_type all",
                "persistence false",
                $"listener {port} 127.0.0.1",
            };
            lines.AddRange(listenerOptions ?? []);
            lines.AddRange(extraConfig ?? []);
            var configPath = Path.Combine(directory, "mosquitto.conf");
            await File.WriteAllLinesAsync(configPath, lines);

            var broker = new MosquittoBroker(directory, port, configPath);
            try
            {
                await broker.StartProcessAsync();
                return broker;
            }
            catch (InvalidOperationException ex) when (attempt < Tries && ex.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                // Another process took the port between FreeTcpPort's check and mosquitto's bind: say so, and take another.
                var holders = PortHolders.Describe(port);
                CiSummary.Report($"mosquitto's port {port} was taken before it bound it (try {attempt} of {Tries}); now held by: {(holders.Count == 0 ? "nobody" : string.Join("; ", holders))}");
                await broker.DisposeAsync();
            }
        }
    }

    /// <summary>SIGKILL: the broker dies without saving anything, as in a crash or power loss.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.KillHardAsync();
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Starts it again on the same port with the same config.</summary>
    public Task RestartAsync() => StartProcessAsync();

    /// <summary>Its log so far, for failure messages.</summary>
    public string ReadLog()
    {
        var path = Path.Combine(_directory, "mosquitto.log");
        return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("The broker is running.");
        }

        _process = ChildProcess.Start(ExternalTool.Require("mosquitto"), ["-c", _configPath]);
        await Eventually.TrueAsync(
            () => _process.HasExited || (PortHolders.IsListenedBy(Port, _process.Id) ?? FreeTcpPort.IsListeningAsync(Port).GetAwaiter().GetResult()),
            $"mosquitto to listen on 127.0.0.1:{Port}");
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"mosquitto exited at start:\n{_process.DescribeOutput()}\n{ReadLog()}");
        }
    }
}
