using System.Security.Cryptography;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Delivery.Publishing;

/// <summary>
/// Re-signs a model's latest statement (<c>edgectl model latest</c>): reads the manifest retained on the model's latest
/// topic, checks that this fleet key signed it, that it is meant for every device, and that it is not older than the
/// version the statement retained there named (or is the version the caller pins), and publishes a fresh statement
/// naming it, read back from the broker (under the <see cref="PublishReadbackPipeline"/>) before it returns. Run on a
/// schedule well within the statement's lifetime, so devices keep installing from the latest topic. The broker is not
/// trusted: a topic rolled back to an older manifest is not vouched for (a broker operator who also deletes the old
/// statement is caught only by a pinned version).
/// </summary>
public sealed class LatestStatementPublisher(MqttConnectionSupervisor connection, MqttTopics topics, TimeProvider? timeProvider = null)
{
    /// <summary>Wait for the retained latest manifest (and for a read-back) before calling it missing.</summary>
    private static readonly TimeSpan RetainedWait = TimeSpan.FromSeconds(3);

    private readonly TimeProvider _clock = timeProvider ?? TimeProvider.System;

    /// <summary>Signs and publishes a fresh statement for <paramref name="model"/>'s latest manifest.</summary>
    /// <param name="model">The model.</param>
    /// <param name="key">The fleet key; it must be the one that signed the latest manifest.</param>
    /// <param name="lifetime">How long the statement stands.</param>
    /// <param name="cancellationToken">Stops it.</param>
    /// <param name="version">The version the latest manifest must be; null: any not older than the one the retained statement named.</param>
    /// <returns>The statement, as published and read back.</returns>
    /// <exception cref="InvalidOperationException">There is no latest manifest, it is not signed by <paramref name="key"/>, it is not meant for every device, or it is older than what was vouched for; the message says which.</exception>
    /// <exception cref="IncompletePublishException">The statement could not be proven retained.</exception>
    public async Task<LatestStatement> ResignAsync(string model, SigningKey key, TimeSpan lifetime, CancellationToken cancellationToken, long? version = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var envelope = await ReadRetainedAsync(topics.ModelManifest(model), cancellationToken)
            ?? throw new InvalidOperationException($"no manifest is retained on {topics.ModelManifest(model)}: publish the model first");
        using var own = TrustedKeys.Of(key);
        var check = SignedEnvelope.Open(envelope, own);
        if (!check.IsAccepted)
        {
            throw new InvalidOperationException($"the latest manifest of {model} is not vouched for: {check.Problem} (this key is {key.Id})");
        }

        var manifest = ModelManifestJson.Parse(check.Document.Span, out var problem)
            ?? throw new InvalidOperationException($"the latest manifest of {model} is not usable: {problem}");
        if (manifest.Name != model)
        {
            throw new InvalidOperationException($"the manifest on {model}'s latest topic names model '{manifest.Name}'");
        }

        if (manifest.Targets?.All != true)
        {
            throw new InvalidOperationException($"{manifest} on the latest topic is signed for {manifest.Targets?.ToString() ?? "no targets"}, not every device: it is not re-signed as the latest");
        }

        if (version is { } pinned && manifest.Version != pinned)
        {
            throw new InvalidOperationException($"the latest topic of {model} holds v{manifest.Version}, not v{pinned}");
        }

        if (version is null && await ReadRetainedAsync(topics.ModelLatest(model), cancellationToken) is { } previous
            && SignedEnvelope.Open(previous, own) is { IsAccepted: true } previousCheck
            && LatestStatement.Parse(previousCheck.Document.Span, out _) is { } vouched
            && vouched.Version > manifest.Version)
        {
            throw new InvalidOperationException($"the latest topic of {model} holds v{manifest.Version}, but its last statement named v{vouched.Version}: an older manifest was put there; publish v{vouched.Version} again, or pin --version {manifest.Version} to vouch for it");
        }

        var statement = LatestStatement.For(manifest, check.Document.Span, _clock.GetUtcNow(), lifetime);
        var signed = SignedEnvelope.Sign(statement.ToBytes(), key).ToBytes();
        var digest = Convert.ToHexStringLower(SHA256.HashData(signed));
        await PublishReadbackPipeline.Create(_clock).ExecuteAsync(
            async token =>
            {
                await connection.PublishAsync(new OutgoingMessage(topics.ModelLatest(model), signed, retain: true) { ContentType = "application/json" }).WaitAsync(token);
                var back = await ReadRetainedAsync(topics.ModelLatest(model), token);
                if (back is null || Convert.ToHexStringLower(SHA256.HashData(back)) != digest)
                {
                    throw new IncompletePublishException($"the latest statement of {manifest} is not retained on the broker");
                }
            },
            cancellationToken);
        return statement;
    }

    /// <summary>The message retained on <paramref name="topic"/>, or null when there is none within <see cref="RetainedWait"/>.</summary>
    private async Task<byte[]?> ReadRetainedAsync(string topic, CancellationToken cancellationToken)
    {
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await connection.SubscribeAsync(topic, (message, _) =>
        {
            if (message.Retained && !message.Payload.IsEmpty)
            {
                received.TrySetResult(message.Payload.ToArray());
            }

            return Task.CompletedTask;
        }, cancellationToken: cancellationToken))
        {
            try
            {
                return await received.Task.WaitAsync(RetainedWait, _clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }
}
