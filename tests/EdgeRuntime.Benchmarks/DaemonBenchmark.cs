using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MQTTnet;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// Starts the daemon on its embedded broker several times and measures (1) seconds from process start until
/// a separate MQTT client receives the retained online status and (2) resident memory after it idled.
/// </summary>
internal static class DaemonBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = BenchmarkMath.IntOption(args, "--runs", 3);
        var idleSeconds = BenchmarkMath.IntOption(args, "--idle-seconds", 20);
        var configuration = typeof(DaemonBenchmark).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Release";
        var daemon = Path.Combine(RepositoryRoot(), "src", "EdgeRuntime.Worker", "bin", configuration, "net10.0", "edge-runtime.dll");
        if (!File.Exists(daemon))
        {
            Console.Error.WriteLine($"the daemon is not built: {daemon}");
            return 1;
        }

        Console.WriteLine($"daemon: {daemon}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; {runs} runs, {idleSeconds} s idle each");
        // Idle: no pipeline (the daemon waiting for work); main job: the shipped configuration's traffic pipeline running.
        foreach (var (label, pipelines) in new[] { ("idle (Pipelines:0:Enabled=false)", false), ("main job (shipped configuration)", true) })
        {
            Console.WriteLine(label);
            Console.WriteLine("run  startup-to-online-status  RSS after idle   peak RSS");
            var startups = new List<double>();
            var rss = new List<double>();
            for (var run = 1; run <= runs; run++)
            {
                var (startup, idleRss, peakRss) = await MeasureOnceAsync(daemon, idleSeconds, pipelines);
                startups.Add(startup);
                rss.Add(idleRss);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run,3}  {startup,20:F2} s  {idleRss,8:F1} MB  {peakRss,7:F1} MB"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median: startup {BenchmarkMath.Median(startups):F2} s (target < 10 s), RSS {BenchmarkMath.Median(rss):F1} MB{(pipelines ? string.Empty : " (target < 80 MB)")}"));
        }

        return 0;
    }

    private static async Task<(double StartupSeconds, double IdleRssMb, double PeakRssMb)> MeasureOnceAsync(string daemon, int idleSeconds, bool pipelines)
    {
        var port = FreePort();
        var state = Directory.CreateTempSubdirectory("edge-bench-").FullName;
        var info = new ProcessStartInfo("dotnet", [daemon])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["EDGE_Mqtt__EmbeddedPort"] = port.ToString(CultureInfo.InvariantCulture);
        info.Environment["EDGE_StateDirectory"] = state;
        info.Environment["EDGE_DeviceId"] = "bench-device";
        info.Environment["EDGE_Pipelines__0__Enabled"] = pipelines ? "true" : "false";

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await WaitForOnlineStatusAsync(port, state);
            var startup = Stopwatch.GetElapsedTime(started).TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(idleSeconds), TimeProvider.System);
            var (rss, peak) = ReadMemory(process.Id);
            return (startup, rss, peak);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task WaitForOnlineStatusAsync(int port, string stateDirectory)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (System.Text.Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray()).Contains("\"state\":\"online\"", StringComparison.Ordinal))
            {
                online.TrySetResult();
            }

            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-observer").Build();

        // The embedded broker lets in only its local credential, written to the state directory as the broker starts.
        EdgeRuntime.Messaging.Connection.MqttClientOptionsFactory.UsePasswordFile(
            options, EdgeRuntime.Messaging.Broker.LocalBrokerCredential.Username, EdgeRuntime.Messaging.Broker.LocalBrokerCredential.PasswordFile(stateDirectory));
        while (true)
        {
            try
            {
                if ((await client.ConnectAsync(options)).ResultCode == MqttClientConnectResultCode.Success)
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
            }
        }

        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("edge/devices/+/status").Build());
        await online.Task.WaitAsync(TimeSpan.FromSeconds(60), TimeProvider.System);
    }

    private static (double RssMb, double PeakMb) ReadMemory(int pid)
    {
        double Read(string key) => File.ReadLines($"/proc/{pid}/status")
            .Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0)
            .First();
        return (Read("VmRSS:"), Read("VmHWM:"));
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }



    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EdgeRuntime.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("EdgeRuntime.sln not found");
    }
}
