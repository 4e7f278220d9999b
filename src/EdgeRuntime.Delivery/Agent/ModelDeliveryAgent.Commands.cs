using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Messaging.Connection;

namespace EdgeRuntime.Delivery.Agent;

public sealed partial class ModelDeliveryAgent
{
    /// <summary>Nonces of commands carried out, so a duplicate delivery is answered but not repeated.</summary>
    private readonly ConcurrentDictionary<string, CommandReply> _handledCommands = new(StringComparer.Ordinal);

    private async Task OnCommandAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var name = Topics.CommandOfTopic(message.Topic, _parts.DeviceId);
        if (name is null || message.Payload.IsEmpty)
        {
            return;
        }

        var reply = await ExecuteCommandAsync(name, message.Payload, cancellationToken);
        if (message.ResponseTopic is { Length: > 0 } responseTopic)
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(reply, CommandJsonContext.Default.CommandReply);
            await _parts.Connection.PublishAsync(new OutgoingMessage(responseTopic, payload)
            {
                ContentType = "application/json",
                CorrelationData = message.CorrelationData,
            });
        }
    }

    private async Task<CommandReply> ExecuteCommandAsync(string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var check = SignedEnvelope.Open(payload.Span, _parts.TrustedKeys);
        if (!check.IsAccepted)
        {
            return Reject($"command refused: {check.Problem}");
        }

        DeviceCommand? command;
        try
        {
            command = JsonSerializer.Deserialize(check.Document.Span, CommandJsonContext.Default.DeviceCommand);
        }
        catch (JsonException ex)
        {
            return Reject($"command refused: not a device command: {ex.Message}");
        }

        if (command is null || command.Type != DeviceCommand.DocumentType || command.Command != name)
        {
            return Reject($"command refused: the signed document is not a '{name}' command");
        }

        if (command.DeviceId != _parts.DeviceId)
        {
            return Reject($"command refused: it is for device '{command.DeviceId}'", command);
        }

        var now = Clock.GetUtcNow();
        if (now > command.ExpiresAt)
        {
            return Reject($"command refused: it expired at {command.ExpiresAt.ToString("u", CultureInfo.InvariantCulture)}", command);
        }

        if (_handledCommands.TryGetValue(command.Nonce, out var earlier))
        {
            return earlier;
        }

        var done = new TaskCompletionSource<CommandReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(command.Model, async token =>
        {
            try
            {
                var outcome = command.Command switch
                {
                    DeviceCommand.Deploy => await DeployAsync(command, token),
                    DeviceCommand.Rollback => await RollbackAsync(command, token),
                    _ => DeliveryOutcome.Refused($"unknown command '{command.Command}'"),
                };
                done.TrySetResult(new CommandReply(outcome.Ok, outcome.Message, command.Model, outcome.ServingVersion ?? _parts.Activator.ServingVersion(command.Model), command.Nonce));
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
                throw;
            }
        });
        var reply = await done.Task.WaitAsync(cancellationToken);
        _handledCommands.TryAdd(command.Nonce, reply);
        return reply;
    }

    private async Task<DeliveryOutcome> DeployAsync(DeviceCommand command, CancellationToken cancellationToken)
    {
        if (command.Version is not { } version)
        {
            return DeliveryOutcome.Refused("deploy needs a version");
        }

        if (_parts.Activator.ServingVersion(command.Model) == version)
        {
            return DeliveryOutcome.Done($"{command.Model} v{version} is already serving", version);
        }

        if (_store.Get(command.Model, version) is { } stored)
        {
            return await ActivateStoredAsync(stored, cancellationToken);
        }

        // Not here: fetch the version's own retained manifest and take the normal, fully verified path.
        var envelope = await ReceiveRetainedAsync(Topics.ModelVersionManifest(command.Model, version), cancellationToken);
        if (envelope is null)
        {
            return DeliveryOutcome.Refused($"{command.Model} v{version} is not in the store and its manifest is not on the broker ({Topics.ModelVersionManifest(command.Model, version)})");
        }

        return await InstallFromManifestAsync(command.Model, envelope, allowStoredOlder: false, cancellationToken);
    }

    private async Task<DeliveryOutcome> RollbackAsync(DeviceCommand command, CancellationToken cancellationToken)
    {
        var serving = _parts.Activator.ServingVersion(command.Model);
        var versions = _store.Versions(command.Model);
        var target = command.Version ?? versions.Where(v => serving is null || v < serving).DefaultIfEmpty(0).Max();
        if (target == 0)
        {
            return DeliveryOutcome.Refused($"no stored version of {command.Model} older than v{serving} to roll back to (stored: {string.Join(", ", versions.Select(v => $"v{v}"))})");
        }

        if (serving is { } current && target >= current)
        {
            return DeliveryOutcome.Refused($"rollback goes to an older version; v{target} is not older than the serving v{current}");
        }

        if (_store.Get(command.Model, target) is not { } stored)
        {
            return DeliveryOutcome.Refused($"{command.Model} v{target} is no longer in the store (it keeps {Options.KeepVersions} versions)");
        }

        return await ActivateStoredAsync(stored, cancellationToken);
    }

    private async Task<DeliveryOutcome> ActivateStoredAsync(Core.Models.InstalledModel stored, CancellationToken cancellationToken)
    {
        // The file was verified when it was installed; check it again, since disks rot and people edit folders.
        var digest = await Task.Run(() => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(stored.Path))), cancellationToken);
        if (digest != stored.Sha256)
        {
            return Refuse(stored.Name, stored.Version, $"stored v{stored.Version} no longer matches its signed sha256; it was changed on disk", envelopeId: null);
        }

        return await ActivateAsync(stored, cancellationToken)
            ? DeliveryOutcome.Done($"{stored.Name} v{stored.Version} serves", stored.Version)
            : DeliveryOutcome.Refused($"{stored.Name} v{stored.Version} did not go into service");
    }

    private async Task<byte[]?> ReceiveRetainedAsync(string topic, CancellationToken cancellationToken)
    {
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await _parts.Connection.SubscribeAsync(topic, (message, _) =>
        {
            if (!message.Payload.IsEmpty)
            {
                received.TrySetResult(message.Payload.ToArray());
            }

            return Task.CompletedTask;
        }, cancellationToken: cancellationToken))
        {
            try
            {
                // A retained message comes right after the subscription; the chunk timeout is the same kind of wait.
                return await received.Task.WaitAsync(TimeSpan.FromSeconds(Options.ChunkTimeoutSeconds), Clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }

    private CommandReply Reject(string reason, DeviceCommand? command = null)
    {
        LogCommandRefused(_logger, reason);
        return new CommandReply(false, reason, command?.Model, command is null ? null : _parts.Activator.ServingVersion(command.Model), command?.Nonce);
    }
}
