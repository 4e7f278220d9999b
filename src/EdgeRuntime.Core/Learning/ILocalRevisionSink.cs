namespace EdgeRuntime.Core.Learning;

/// <summary>
/// The port through which the on-device learner hands each accepted local revision on (to federated learning, which
/// turns it into a signed update in the durable outbox), without knowing what happens next.
/// </summary>
public interface ILocalRevisionSink
{
    /// <summary>
    /// Takes <paramref name="revision"/>; called on the learning thread after the revision serves. Returns null when
    /// the revision was handed on (durably), otherwise one line saying why not — the learner reports it and goes on.
    /// </summary>
    string? Accept(LocalRevision revision);
}
