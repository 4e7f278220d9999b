using System.CommandLine;
using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Fleet.Status;
using EdgeRuntime.Messaging.Connection;

namespace EdgeRuntime.Fleet.Commands;

/// <summary><c>edgectl deploy</c>, <c>edgectl rollback</c> and <c>edgectl repair</c>: signed commands to one device, answered by the device.</summary>
internal static class DeviceCommandVerbs
{
    public static Command CreateDeploy(TimeProvider timeProvider) =>
        Create(DeviceCommand.Deploy, "Move a device to a model version (fetching it if the device does not have it)", versionRequired: true, timeProvider);

    public static Command CreateRollback(TimeProvider timeProvider) =>
        Create(DeviceCommand.Rollback, "Move a device back to an older version it still has (by default the newest one older than the serving one)", versionRequired: false, timeProvider);

    public static Command CreateRepair(TimeProvider timeProvider) =>
        Create(DeviceCommand.Repair, "Make a device verify a model's store now (every signed manifest, every file's sha256) and fetch again what is damaged", versionRequired: false, timeProvider, takesVersion: false);

    private static Command Create(string name, string description, bool versionRequired, TimeProvider timeProvider, bool takesVersion = true)
    {
        var broker = new BrokerArguments();
        var device = new Option<string>("--device", "-d") { Description = "The device id", Required = true };
        var model = new Option<string>("--model", "-m") { Description = "The model name", Required = true };
        var version = new Option<long?>("--version", "-V") { Description = versionRequired ? "The version to serve" : "The older version to serve (default: the newest older one the device has)", Required = versionRequired };
        var signingKey = new SigningKeyArgument();
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the device's answer (a deploy that downloads can take minutes)", DefaultValueFactory = _ => 600 };

        var command = new Command(name, description);
        command.Add(device);
        command.Add(model);
        if (takesVersion)
        {
            command.Add(version);
        }

        signingKey.AddTo(command);
        command.Add(timeout);
        broker.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var wait = TimeSpan.FromSeconds(Math.Max(1, parseResult.GetValue(timeout)));
            var keyPath = signingKey.Read(parseResult, broker, error, out var keyProblem);
            if (keyPath is null)
            {
                await error.WriteLineAsync($"edgectl {name}: {keyProblem}");
                return 2;
            }

            try
            {
                using var key = SigningKey.Load(keyPath);
                await using var connected = await ConnectedBroker.ConnectAsync(broker, parseResult, timeProvider, cancellationToken);
                var now = timeProvider.GetUtcNow();
                var order = new DeviceCommand
                {
                    Command = name,
                    DeviceId = parseResult.GetValue(device)!,
                    Model = parseResult.GetValue(model)!,
                    Version = takesVersion ? parseResult.GetValue(version) : null,
                    IssuedAt = now,
                    ExpiresAt = now + wait,
                    Nonce = Guid.NewGuid().ToString("N"),
                };
                var reply = await new DeviceCommandClient(connected.Connection, connected.Topics, timeProvider).SendAsync(order, key, wait, cancellationToken);

                // A copy the broker delivered twice is answered with the first result: that is this command's outcome.
                var replayed = reply.Code == Core.Delivery.RefusalCode.Replayed && reply.First is not null;
                var shown = replayed ? reply.First! : reply;
                var code = shown.Code is { } refused ? $" [{Core.Delivery.RefusalCodes.Name(refused)}]" : string.Empty;
                await (shown.Ok ? output : error).WriteLineAsync($"{order.DeviceId}: {shown.Message}{code}" + (shown.ServingVersion is { } serving ? $" (serving v{serving})" : string.Empty) + (replayed ? " (the first answer to a copy delivered twice)" : string.Empty));
                return shown.Ok ? 0 : 1;
            }
            catch (TimeoutException)
            {
                await error.WriteLineAsync($"edgectl {name}: no answer from device '{parseResult.GetValue(device)}' within {wait.TotalSeconds:0} s (offline? the command expires then)");
                return 1;
            }
            catch (Exception ex) when (ex is SigningKeyException or ArgumentException or IOException or BrokerUnreachableException or InvalidDataException or PublishRejectedException or OutgoingQueueFullException)
            {
                await error.WriteLineAsync($"edgectl {name}: {ex.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return command;
    }
}
