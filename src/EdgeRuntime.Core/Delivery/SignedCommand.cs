namespace EdgeRuntime.Core.Delivery;

/// <summary>A command as it arrived, with what its signature check found; admission (<see cref="DeliveryPlanner.Admit"/>) decides whether it is carried out.</summary>
/// <param name="Topic">The command name of the topic it came on (<c>deploy</c>, <c>rollback</c>, <c>repair</c>).</param>
/// <param name="Verdict">The signature check.</param>
/// <param name="Problem">Why the check or the parse failed, in one line (null when accepted and parsed).</param>
/// <param name="Kind">The command the signed document names; null when it names none this device knows.</param>
/// <param name="Name">The command's name as the document gives it (must equal <paramref name="Topic"/>).</param>
/// <param name="DeviceId">The device the command is for.</param>
/// <param name="Model">The model it is about.</param>
/// <param name="Version">The target version, if any.</param>
/// <param name="ExpiresAt">After this it is refused.</param>
public sealed record SignedCommand(
    string Topic,
    SignatureVerdict Verdict,
    string? Problem,
    CommandKind? Kind = null,
    string? Name = null,
    string? DeviceId = null,
    string? Model = null,
    long? Version = null,
    DateTimeOffset ExpiresAt = default);
