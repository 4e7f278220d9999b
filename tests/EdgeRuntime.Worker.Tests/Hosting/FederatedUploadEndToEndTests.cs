using System.Text;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Testing.Mqtt;
using Microsoft.Data.Sqlite;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>
/// The daemon's federated upload with everything real: the daemon process with <c>Federated:Enabled</c>, Mosquitto,
/// mosquitto_sub as the aggregator's ear and mosquitto_pub for its receipts, the outbox file on disk.
/// </summary>
public sealed class FederatedUploadEndToEndTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-fl-e2e-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task EnabledDaemon_UploadsItsOutbox_AndDeletesOnlyOnAFleetSignedReceipt()
    {
        using var fleet = SigningKey.Create();
        var (_, fleetPublic) = fleet.Save(Path.Combine(_folder, "fleet"));
        using var impostor = SigningKey.Create();
        using var device = SigningKey.Create();
        var (deviceKey, _) = device.Save(Path.Combine(_folder, "device"));
        var state = Directory.CreateDirectory(Path.Combine(_folder, "state")).FullName;

        // Two updates wait in the outbox from before the start (what a previous run produced while offline).
        using (var outbox = new SqliteOutbox(Path.Combine(state, "outbox.db"), TimeProvider.System))
        {
            outbox.Add(new OutboxMessage("u1", OutboxChannel.FederatedUpdate, "traffic-forecast", Encoding.UTF8.GetBytes("update-one")));
            outbox.Add(new OutboxMessage("u2", OutboxChannel.FederatedUpdate, "traffic-forecast", Encoding.UTF8.GetBytes("update-two")));
        }

        await using var broker = await MosquittoBroker.StartAsync();
        await using var updates = await MosquittoSubscriber.StartAsync(broker.Port, "edge/fl/traffic-forecast/updates");
        await using var daemon = DaemonProcess.Start(new Dictionary<string, string?>
        {
            ["EDGE_Mqtt__Server"] = broker.Address,
            ["EDGE_Delivery__TrustedKeys__0"] = fleetPublic,
            ["EDGE_Federated__Enabled"] = "true",
            ["EDGE_Federated__DeviceKey"] = deviceKey,
        }, stateDirectory: state);

        await updates.WaitForAsync(m => m.Payload == "update-one", "the first update on the updates topic");
        await updates.WaitForAsync(m => m.Payload == "update-two", "the second update");
        Assert.Equal(["u1", "u2"], PendingIds(state));

        // A receipt signed by another key releases nothing; the fleet's receipt for u2 releases u2 only.
        var receipts = $"edge/devices/{daemon.DeviceId}/receipts";
        await MosquittoPublisher.PublishAsync(broker.Port, receipts, Receipt("u1", impostor));
        await MosquittoPublisher.PublishAsync(broker.Port, receipts, Receipt("u2", fleet));

        await Eventually.TrueAsync(() => PendingIds(state) is ["u1"], "the fleet's receipt to release u2 and only u2");
    }

    private static string Receipt(string id, SigningKey key) =>
        Encoding.UTF8.GetString(SignedReceipts.Sign(new ReceiptDocument { From = "lead", Receipts = [new ReceiptEntry(id, OutboxOutcome.Accepted)] }, key));

    private static List<string> PendingIds(string state)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(state, "outbox.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM entries ORDER BY seq";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
