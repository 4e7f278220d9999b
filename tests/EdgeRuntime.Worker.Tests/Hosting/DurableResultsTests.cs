using System.Text;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Testing.Mqtt;
using Microsoft.Data.Sqlite;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>Pipeline results through the durable outbox: the daemon, Mosquitto and mosquitto_sub, all real.</summary>
public sealed class DurableResultsTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("edge-durable-results-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task DurableResults_BrokerDownAndTheDaemonKilled_EveryQueuedResultArrivesAfterTheRestart()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await broker.KillAsync();
        var settings = new Dictionary<string, string?>
        {
            ["EDGE_Mqtt__Server"] = broker.Address,
            ["EDGE_Pipelines__0__Results__Durable"] = "true",

            // The shipped pipeline with 2 s intervals on a Monday morning peak: results come quickly.
            ["EDGE_Pipelines__0__Sources__0__Loops__Interval"] = "00:00:02",
            ["EDGE_Pipelines__0__Sources__0__Loops__Settle"] = "00:00:00.500",
            ["EDGE_Pipelines__0__Sources__0__Simulation__StartAt"] = "2026-01-05T07:45:00+00:00",
        };

        // The broker is away: results go to the outbox on disk. Then the daemon dies without a word (SIGKILL).
        string deviceId;
        List<string> queued;
        await using (var first = DaemonProcess.Start(settings, stateDirectory: _state))
        {
            deviceId = first.DeviceId;
            await Eventually.TrueAsync(() => QueuedResults(_state).Count >= 8, "eight results in the outbox while the broker is down", TimeSpan.FromSeconds(90));
            queued = QueuedResults(_state);
            await first.Process.KillHardAsync();
        }

        // The broker returns; the daemon starts again on the same state and sends what the first run queued.
        await broker.RestartAsync();
        await using var results = await MosquittoSubscriber.StartAsync(broker.Port, $"edge/devices/{deviceId}/results/traffic");
        await using var second = DaemonProcess.Start(settings, deviceId: deviceId, stateDirectory: _state);

        await Eventually.TrueAsync(
            () => queued.All(payload => results.Messages.Any(m => m.Payload == payload)),
            $"the {queued.Count} results queued before the kill on the results topic",
            TimeSpan.FromSeconds(60));
    }

    // The result documents waiting in the daemon's outbox, oldest first.
    private static List<string> QueuedResults(string state)
    {
        var path = Path.Combine(state, "outbox.db");
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT payload FROM entries WHERE channel = $channel ORDER BY seq";
            command.Parameters.AddWithValue("$channel", (int)OutboxChannel.PipelineResult);
            using var reader = command.ExecuteReader();
            var payloads = new List<string>();
            while (reader.Read())
            {
                payloads.Add(Encoding.UTF8.GetString((byte[])reader.GetValue(0)));
            }

            return payloads;
        }
        catch (SqliteException)
        {
            // Being created by the daemon.
            return [];
        }
    }
}
