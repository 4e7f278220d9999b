using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Messaging.Connection;

namespace EdgeRuntime.Delivery.Agent;

public sealed partial class ModelDeliveryAgent
{
    /// <summary>A message on a model's latest manifest or latest statement topic (anything else on <c>models/+/+</c> is ignored).</summary>
    private Task OnLatestDocumentAsync(ReceivedMessage message, CancellationToken cancellationToken) =>
        Topics.ModelOfManifestTopic(message.Topic) is not null ? OnManifestAsync(message, cancellationToken)
        : Topics.ModelOfLatestTopic(message.Topic) is not null ? OnLatestAsync(message, cancellationToken)
        : Task.CompletedTask;

    /// <summary>A manifest on a model's latest topic sets what that model's loop is offered (an empty one withdraws the offer; what is installed stays).</summary>
    private Task OnManifestAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return HeldUntilStopAsync(cancellationToken);
        }

        var model = Topics.ModelOfManifestTopic(message.Topic);
        if (model is null || !ModelName.IsValid(model) || !Options.Follows(model))
        {
            return Task.CompletedTask;
        }

        if (message.Payload.IsEmpty)
        {
            if (_reconcilers.TryGetValue(model, out var existing))
            {
                existing.Offer(null, null, null);
            }

            return Task.CompletedTask;
        }

        var envelope = message.Payload.ToArray();
        var (offer, manifest) = SignedOffers.Read(model, topicVersion: null, envelope, _parts.TrustedKeys);
        if (manifest is not null)
        {
            _parts.Trust.Observe(manifest.CreatedAt, manifest.ExpiresAt);
        }

        ReconcilerFor(model).Offer(offer, manifest, envelope);
        return Task.CompletedTask;
    }

    /// <summary>A latest statement on a model's topic says which manifest is its latest, until it expires (an empty one withdraws it).</summary>
    private Task OnLatestAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return HeldUntilStopAsync(cancellationToken);
        }

        var model = Topics.ModelOfLatestTopic(message.Topic);
        if (model is null || !ModelName.IsValid(model) || !Options.Follows(model))
        {
            return Task.CompletedTask;
        }

        if (message.Payload.IsEmpty)
        {
            if (_reconcilers.TryGetValue(model, out var existing))
            {
                existing.Latest(null);
            }

            return Task.CompletedTask;
        }

        var (latest, statement) = SignedOffers.ReadLatest(model, message.Payload.Span, _parts.TrustedKeys);
        if (statement is not null)
        {
            _parts.Trust.Observe(statement.CreatedAt, statement.ExpiresAt);
        }

        ReconcilerFor(model).Latest(latest);
        return Task.CompletedTask;
    }
}
