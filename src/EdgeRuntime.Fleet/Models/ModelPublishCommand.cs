using System.CommandLine;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Fleet.Status;
using EdgeRuntime.Messaging.Connection;

namespace EdgeRuntime.Fleet.Models;

/// <summary><c>edgectl model publish</c>: sign a model version and put it on the broker for devices to fetch.</summary>
internal static class ModelPublishCommand
{
    public static Command Create(TimeProvider timeProvider)
    {
        var broker = new BrokerArguments();
        var file = new Argument<string>("MODEL.onnx") { Description = "The model file" };
        var name = new Option<string>("--name", "-n") { Description = "Model name (devices follow names; one topic level)", Required = true };
        var version = new Option<long>("--version", "-V") { Description = "Version, ≥ 1 and higher than any published before", Required = true };
        var signingKey = new SigningKeyArgument();
        var expires = new Option<string>("--expires") { Description = "How long devices may accept the manifest (e.g. 30d, 12h)", DefaultValueFactory = _ => "30d" };
        var chunkSize = new Option<string>("--chunk-size") { Description = "Chunk size (e.g. 256KiB, 1MiB)", DefaultValueFactory = _ => "256KiB" };
        var url = new Option<string?>("--url") { Description = "Publish only the manifest and let devices fetch the bytes from this https:// or file:// URL" };
        var staged = new Option<bool>("--staged") { Description = "Publish the version without announcing it, signed only for the --device and --tag targets: they get it through 'edgectl deploy'" };
        var devices = new Option<string[]>("--device") { Description = "With --staged: a device the version is signed for (repeat for more)" };
        var tags = new Option<string[]>("--tag") { Description = "With --staged: devices whose DeviceTags hold this tag get it too (repeat for more)" };
        var latestLifetime = new Option<string>("--latest-lifetime") { Description = "How long the signed latest statement stands; re-sign it within that with 'edgectl model latest' (e.g. 1d, 6h)", DefaultValueFactory = _ => "1d" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to keep publishing and reading back until every chunk is proven retained on the broker", DefaultValueFactory = _ => 600 };

        var command = new Command("publish", "Sign a model version and publish it: chunks as retained messages, then the signed manifest");
        command.Add(file);
        command.Add(name);
        command.Add(version);
        signingKey.AddTo(command);
        command.Add(expires);
        command.Add(chunkSize);
        command.Add(url);
        command.Add(staged);
        command.Add(devices);
        command.Add(tags);
        command.Add(latestLifetime);
        command.Add(timeout);
        broker.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var path = parseResult.GetValue(file)!;
            var lifetime = ArgumentParsers.Duration(parseResult.GetValue(expires)!, out var durationProblem);
            var statementLifetime = ArgumentParsers.Duration(parseResult.GetValue(latestLifetime)!, out var statementProblem);
            var size = ArgumentParsers.Size(parseResult.GetValue(chunkSize)!, out var sizeProblem);
            if (lifetime is null || statementLifetime is null || size is null || size > int.MaxValue)
            {
                await error.WriteLineAsync($"edgectl model publish: {durationProblem ?? statementProblem ?? sizeProblem ?? "--chunk-size is too large"}");
                return 2;
            }

            var isStaged = parseResult.GetValue(staged);
            var targetDevices = parseResult.GetValue(devices) ?? [];
            var targetTags = parseResult.GetValue(tags) ?? [];
            if (isStaged != (targetDevices.Length + targetTags.Length > 0))
            {
                // A staged version's targets are signed: copying its manifest to the latest topic must not reach the fleet.
                await error.WriteLineAsync(isStaged
                    ? "edgectl model publish: --staged needs the devices it is for: --device ID or --tag TAG (repeatable)"
                    : "edgectl model publish: --device and --tag name a staged version's targets; add --staged (a version for every device takes neither)");
                return 2;
            }

            if (!File.Exists(path))
            {
                await error.WriteLineAsync($"edgectl model publish: '{path}' does not exist");
                return 2;
            }

            var keyPath = signingKey.Read(parseResult, broker, error, out var keyProblem);
            if (keyPath is null)
            {
                await error.WriteLineAsync($"edgectl model publish: {keyProblem}");
                return 2;
            }

            try
            {
                using var key = SigningKey.Load(keyPath);
                var now = timeProvider.GetUtcNow();
                var targets = isStaged ? ManifestTargets.Only(targetDevices, targetTags) : ManifestTargets.Everyone;
                var manifest = ManifestBuilder.Build(path, parseResult.GetValue(name)!, parseResult.GetValue(version), (int)size, now, now + lifetime.Value, parseResult.GetValue(url), targets);
                // The publisher reads every chunk and the manifest back: its own packet limit must let the largest through.
                var largest = Math.Max(manifest.ChunkSize, (ModelManifestJson.ToBytes(manifest).Length * 4 / 3) + 4096) + (64 << 10);
                await using var connected = await ConnectedBroker.ConnectAsync(broker, parseResult, timeProvider, cancellationToken, minMaxPacketBytes: largest);
                // A broker's acknowledgement is not durability: the publisher reads everything back before it says "published".
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(1, parseResult.GetValue(timeout))), timeProvider);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                await using (var progress = new ProgressDisplay(error, $"{manifest}", manifest.Url is null ? manifest.Length : null, Megabytes))
                {
                    var publisher = new ModelPublisher(connected.Connection, connected.Topics, timeProvider) { LatestLifetime = statementLifetime.Value };
                    await publisher.PublishAsync(path, manifest, key, announce: !isStaged, progress.AsProgress(), linked.Token);
                }

                await output.WriteLineAsync(
                    $"published {manifest}: {manifest.Length} bytes, sha256 {manifest.Sha256}, {manifest.Chunks.Count} chunks of {manifest.ChunkSize}, key {key.Id}, expires {manifest.ExpiresAt:u}; every chunk and the manifest read back from the broker" +
                    (isStaged
                        ? $" (staged for {manifest.Targets}: deploy it with 'edgectl deploy')"
                        : $"; latest statement valid until {now + statementLifetime.Value:u} (re-sign it before with 'edgectl model latest --name {manifest.Name}')"));
                return 0;
            }
            catch (IncompletePublishException ex)
            {
                await error.WriteLineAsync($"edgectl model publish: {ex.Message}");
                return 1;
            }
            catch (PublishRejectedException ex)
            {
                // One line with the broker's reason by name, and what usually causes it.
                await error.WriteLineAsync($"edgectl model publish: {ex.Message}{RefusalHint(ex.ReasonCode, parseResult.GetValue(chunkSize)!)}");
                return 1;
            }
            catch (Exception ex) when (ex is SigningKeyException or ArgumentException or IOException or BrokerUnreachableException or InvalidOperationException or OutgoingQueueFullException)
            {
                await error.WriteLineAsync($"edgectl model publish: {ex.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });

        var model = new Command("model", "Build and publish models");
        model.Add(command);
        model.Add(ModelLatestCommand.Create(timeProvider));
        return model;
    }

    private static string Megabytes(double bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):0.0} MB");

    private static string RefusalHint(MQTTnet.MqttClientPublishReasonCode code, string chunkSize) => (int)code switch
    {
        0x95 or 0x97 => $" (the broker's message size limit, such as Mosquitto's max_packet_size or message_size_limit, is below the chunk size {chunkSize}: publish with a smaller --chunk-size or raise the limit)",
        0x87 => " (the broker's ACL does not let this user publish there)",
        _ => string.Empty,
    };
}
