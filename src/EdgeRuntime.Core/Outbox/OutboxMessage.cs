namespace EdgeRuntime.Core.Outbox;

/// <summary>A message for the durable outbox.</summary>
/// <param name="Id">Unique id (the receiver's receipts name it; adding an id that is already queued is a no-op). 1–128 characters of <c>A-Z a-z 0-9 . _ -</c>.</param>
/// <param name="Channel">What it is, which decides its topic.</param>
/// <param name="Name">The model or pipeline the channel's topic names (one topic level).</param>
/// <param name="Payload">The bytes to send (the outbox keeps its own copy on disk).</param>
/// <param name="Release">When it may be deleted.</param>
public sealed record OutboxMessage(string Id, OutboxChannel Channel, string Name, ReadOnlyMemory<byte> Payload, OutboxRelease Release = OutboxRelease.OnReceipt)
{
    /// <summary>What is wrong with the message, or null.</summary>
    public string? Check()
    {
        if (!IsToken(Id))
        {
            return $"outbox message id '{Id}' must be 1–128 characters of A-Z a-z 0-9 . _ -";
        }

        return IsToken(Name) ? null : $"outbox message name '{Name}' must be one topic level of 1–128 characters of A-Z a-z 0-9 . _ -";
    }

    private static bool IsToken(string? value) =>
        value is { Length: > 0 and <= 128 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
