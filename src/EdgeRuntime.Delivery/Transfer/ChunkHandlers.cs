namespace EdgeRuntime.Delivery.Transfer;

/// <summary>What a chunk source calls while it fetches.</summary>
/// <param name="Accept">
/// Verifies chunk <c>index</c> and stores it; throws <see cref="TransferException"/> for wrong bytes and
/// <see cref="IOException"/> for a disk that cannot take them. Called from several threads at once.
/// </param>
/// <param name="Waiting">Chunk <c>index</c>, asked for since the given moment, did not come within the chunk timeout (it is asked for again).</param>
/// <param name="Arrived">Chunk <c>index</c> came after <paramref name="Waiting"/> was called for it.</param>
public sealed record ChunkHandlers(Action<int, ReadOnlyMemory<byte>> Accept, Action<int, DateTimeOffset>? Waiting = null, Action<int>? Arrived = null);
