using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Transfer;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// Model transfer throughput: a file (100 MB by default) published by the fleet side (chunks, signed manifest)
/// and fetched by a device (chunk requests, per-chunk hash check, journalled partial file, whole-file sha256),
/// through the embedded broker and through Mosquitto on loopback. Beside each, in the same run and on the same
/// broker, the time one <c>mosquitto_pub -f</c> of the same file takes to reach a <c>mosquitto_sub</c>.
/// </summary>
internal static class DeliveryBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var megabytes = BenchmarkMath.IntOption(args, "--megabytes", 100);
        var runs = BenchmarkMath.IntOption(args, "--runs", 3);
        var chunkKiB = BenchmarkMath.IntOption(args, "--chunk-kib", 256);
        var parallelism = BenchmarkMath.IntOption(args, "--parallelism", 8);
        var folder = Directory.CreateTempSubdirectory("edge-bench-delivery-").FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        try
        {
            var file = Path.Combine(folder, "payload.bin");
            await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(megabytes << 20));
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; {megabytes} MB file, chunks of {chunkKiB} KiB, {parallelism} chunk requests at once, {runs} runs per broker (median)");
            Console.WriteLine("broker      raw pub→sub one message   publish (fleet)   fetch+verify (device)   end to end   end to end / raw");
            foreach (var kind in new[] { "embedded", "mosquitto" })
            {
                var raw = new List<double>();
                var publish = new List<double>();
                var fetch = new List<double>();
                for (var run = 0; run < runs; run++)
                {
                    await using var broker = await BenchmarkBroker.StartAsync(kind, folder);
                    raw.Add(await RawSingleMessageAsync(broker.Port, file));
                    var (publishSeconds, fetchSeconds) = await ChunkedTransferAsync(broker.Address, file, folder, chunkKiB << 10, parallelism, run);
                    publish.Add(publishSeconds);
                    fetch.Add(fetchSeconds);
                }

                var rawRate = megabytes / BenchmarkMath.Median(raw);
                var publishRate = megabytes / BenchmarkMath.Median(publish);
                var fetchRate = megabytes / BenchmarkMath.Median(fetch);
                var endToEnd = megabytes / BenchmarkMath.Median(publish.Zip(fetch, (p, f) => p + f));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{kind,-10}  {rawRate,16:F1} MB/s   {publishRate,10:F1} MB/s   {fetchRate,16:F1} MB/s   {endToEnd,6:F1} MB/s   {endToEnd / rawRate,8:F2}×  (goal ≥ 0.5×)"));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Seconds from starting <c>mosquitto_pub -f</c> until <c>mosquitto_sub</c> has received the message.</summary>
    private static async Task<double> RawSingleMessageAsync(int port, string file)
    {
        var topic = $"bench/raw/{Guid.NewGuid():N}";
        var portText = port.ToString(CultureInfo.InvariantCulture);
        using var subscriber = Process.Start(new ProcessStartInfo("mosquitto_sub", ["-h", "127.0.0.1", "-p", portText, "-t", topic, "-q", "1", "-C", "1", "-N"]) { RedirectStandardOutput = true })!;
        var drained = subscriber.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System);
        var watch = Stopwatch.StartNew();
        using var publisher = Process.Start(new ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", portText, "-t", topic, "-q", "1", "-f", file]))!;
        await subscriber.WaitForExitAsync();
        await drained;
        var seconds = watch.Elapsed.TotalSeconds;
        await publisher.WaitForExitAsync();
        return seconds;
    }

    /// <summary>Publishes the file as a model version and fetches it as a device does; seconds for each half.</summary>
    private static async Task<(double Publish, double Fetch)> ChunkedTransferAsync(string broker, string file, string folder, int chunkSize, int parallelism, int run)
    {
        using var key = SigningKey.Create();
        var topics = new MqttTopics();
        var now = TimeProvider.System.GetUtcNow();
        await using var fleet = await ConnectAsync(broker, "bench-fleet", sessionful: false);
        var watch = Stopwatch.StartNew();
        var manifest = ManifestBuilder.Build(file, "bench", run + 1, chunkSize, now, now.AddDays(1));
        await new ModelPublisher(fleet, topics).PublishAsync(file, manifest, key, announce: true, progress: null, CancellationToken.None);
        var publishSeconds = watch.Elapsed.TotalSeconds;

        await using var device = await ConnectAsync(broker, "bench-device", sessionful: true);
        var source = new MqttChunkSource(device, topics, parallelism, TimeSpan.FromSeconds(30), TimeProvider.System, NullLogger<MqttChunkSource>.Instance);
        var downloadFolder = Path.Combine(folder, $"download-{run}");
        watch.Restart();
        using (var download = PartialDownload.Open(downloadFolder, manifest))
        {
            await source.FetchAsync(manifest, download.Missing(), (index, data) => download.Accept(index, data.Span), CancellationToken.None);
            download.Complete();
        }

        var fetchSeconds = watch.Elapsed.TotalSeconds;
        Directory.Delete(downloadFolder, recursive: true);
        return (publishSeconds, fetchSeconds);
    }

    private static async Task<MqttConnectionSupervisor> ConnectAsync(string broker, string clientId, bool sessionful)
    {
        var options = new MqttOptions { Server = broker, CleanStart = !sessionful, SessionExpirySeconds = sessionful ? 600 : 0, MaxPacketBytes = MqttOptions.MaxMqttPacketBytes };
        BrokerEndpoint.TryParse(broker, out var endpoint, out _);
        var supervisor = new MqttConnectionSupervisor(
            MqttClientOptionsFactory.Create(options, endpoint!, $"{clientId}-{Guid.NewGuid():N}"[..30], lastWill: null),
            MqttReconnectPipeline.Create(options.Reconnect, broker, TimeProvider.System, NullLogger.Instance),
            100_000,
            TimeProvider.System,
            NullLogger<MqttConnectionSupervisor>.Instance);
        supervisor.Start();
        await supervisor.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        return supervisor;
    }

    /// <summary>A broker for one run: the embedded MQTTnet server in this process, or Mosquitto started here.</summary>
    private sealed class BenchmarkBroker : IAsyncDisposable
    {
        private readonly IAsyncDisposable? _embedded;
        private readonly Process? _mosquitto;

        private BenchmarkBroker(int port, IAsyncDisposable? embedded, Process? mosquitto)
        {
            Port = port;
            _embedded = embedded;
            _mosquitto = mosquitto;
        }

        public int Port { get; }

        public string Address => $"127.0.0.1:{Port}";

        public static async Task<BenchmarkBroker> StartAsync(string kind, string folder)
        {
            var port = DaemonBenchmark.FreePort();
            if (kind == "embedded")
            {
                // The raw baseline sends the whole file as one message: the broker takes packets as large as MQTT allows.
                var settings = new EmbeddedBrokerSettings(port) { MaxPacketBytes = MqttOptions.MaxMqttPacketBytes };
                return new BenchmarkBroker(port, await EmbeddedMqttBroker.StartAsync(settings, NullLogger<EmbeddedMqttBroker>.Instance), null);
            }

            var config = Path.Combine(folder, $"mosquitto-{port}.conf");
            await File.WriteAllLinesAsync(config, [$"listener {port} 127.0.0.1", "allow_anonymous true", "persistence false", "log_type error", "message_size_limit 0"]);
            var process = Process.Start(new ProcessStartInfo("mosquitto", ["-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            for (var attempt = 0; attempt < 100 && !await IsListeningAsync(port); attempt++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
            }

            return new BenchmarkBroker(port, null, process);
        }

        public async ValueTask DisposeAsync()
        {
            if (_embedded is not null)
            {
                await _embedded.DisposeAsync();
            }

            if (_mosquitto is not null)
            {
                _mosquitto.Kill();
                await _mosquitto.WaitForExitAsync();
                _mosquitto.Dispose();
            }
        }

        private static async Task<bool> IsListeningAsync(int port)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }
    }
}
