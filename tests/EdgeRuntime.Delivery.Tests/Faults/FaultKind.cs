namespace EdgeRuntime.Delivery.Tests.Faults;

/// <summary>The faults the campaign places, each representing a kind operators of fleets report.</summary>
internal enum FaultKind
{
    /// <summary>A chunk of the offered version is deleted from the broker (an empty retained message) before the device fetched it.</summary>
    ChunkDeleted,

    /// <summary>A 4-byte non-retained message on the topic of the chunk the device is waiting for.</summary>
    StrayChunkMessage,

    /// <summary>The model's state.json garbled while the daemon is down.</summary>
    DamagedState,

    /// <summary>The serving version's signed manifest truncated while the daemon is down.</summary>
    DamagedManifest,

    /// <summary>A weight flipped in the serving version's model file while the daemon is down.</summary>
    DamagedModel,

    /// <summary>A weight flipped in (or a truncation of) the serving version's cached plan while the daemon is down.</summary>
    DamagedPlan,

    /// <summary>The file system fills up (a small tmpfs with a filler file) before a version arrives.</summary>
    FullDisk,

    /// <summary>kill -9 of the broker at a random point of a download (Mosquitto without persistence forgets its retained messages; the embedded broker is the daemon).</summary>
    BrokerKilled,

    /// <summary>kill -9 of the daemon halfway through a download.</summary>
    DaemonKilledMidDownload,

    /// <summary>kill -9 of the daemon while it verifies, optimises or swaps a version in.</summary>
    DaemonKilledMidSwap,
}
