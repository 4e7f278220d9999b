namespace EdgeRuntime.Core.Delivery;

/// <summary>
/// What a device remembers of the commands it admitted, kept on disk so a restart does not forget them: every nonce
/// until its command expires, the latest expiry among the nonces it has since dropped, and from when its history
/// starts (the moment a damaged record was replaced; before it nothing is known).
/// </summary>
/// <param name="Admitted">The remembered commands, by nonce.</param>
/// <param name="ForgottenThrough">The latest <c>expiresAt</c> among dropped nonces: a command that expires no later may have been seen.</param>
/// <param name="StartsAt">Commands issued before this may have been seen (the record of them was lost); the minimum time when the record is whole.</param>
public sealed record CommandHistory(IReadOnlyDictionary<string, AdmittedCommand> Admitted, DateTimeOffset ForgottenThrough, DateTimeOffset StartsAt)
{
    /// <summary>A device that has admitted nothing yet.</summary>
    public static CommandHistory Empty { get; } = new(new Dictionary<string, AdmittedCommand>(StringComparer.Ordinal), DateTimeOffset.MinValue, DateTimeOffset.MinValue);
}

/// <summary>A command the device admitted.</summary>
/// <param name="Nonce">Its nonce.</param>
/// <param name="ExpiresAt">Its <c>expiresAt</c>: after this it is refused anyway, so its nonce may be dropped.</param>
/// <param name="AdmittedAt">When it was admitted (device clock).</param>
/// <param name="Answered">Whether its result was recorded (false: carried out now, or interrupted by a stop).</param>
public sealed record AdmittedCommand(string Nonce, DateTimeOffset ExpiresAt, DateTimeOffset AdmittedAt, bool Answered);
