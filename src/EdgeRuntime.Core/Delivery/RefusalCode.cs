using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Delivery;

/// <summary>
/// Why a model version or a command was not carried out, or why a model is not where it should be: the machine-readable
/// half of every failure delivery reports (the other half is the one-line text). Published as <c>code</c> in the
/// status, the events and command replies, in the kebab-case form shown on each member (docs/protocol.md lists them).
/// New codes are added at the end; a client must treat an unknown code as a failure it cannot interpret.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<RefusalCode>))]
public enum RefusalCode
{
    /// <summary><c>no-trusted-keys</c>: the device trusts no key (Delivery:TrustedKeys is empty), so nothing signed can be accepted.</summary>
    [JsonStringEnumMemberName("no-trusted-keys")]
    NoTrustedKeys,

    /// <summary><c>unknown-key</c>: signed by a key the device does not trust.</summary>
    [JsonStringEnumMemberName("unknown-key")]
    UnknownKey,

    /// <summary><c>bad-signature</c>: the signature does not match the document (altered, or a wrong key id).</summary>
    [JsonStringEnumMemberName("bad-signature")]
    BadSignature,

    /// <summary><c>malformed</c>: not a signed envelope, or the signed document is not a valid manifest or command.</summary>
    [JsonStringEnumMemberName("malformed")]
    Malformed,

    /// <summary><c>wrong-model</c>: a manifest that names another model than the topic it came on.</summary>
    [JsonStringEnumMemberName("wrong-model")]
    WrongModel,

    /// <summary><c>expired</c>: the manifest's or command's <c>expiresAt</c> has passed.</summary>
    [JsonStringEnumMemberName("expired")]
    Expired,

    /// <summary><c>not-newer</c>: anti-rollback; the version is not newer than the highest one put into service.</summary>
    [JsonStringEnumMemberName("not-newer")]
    NotNewer,

    /// <summary><c>over-quota</c>: the version would not fit Delivery:StoreQuotaMegabytes, even after pruning.</summary>
    [JsonStringEnumMemberName("over-quota")]
    OverQuota,

    /// <summary><c>disk-full</c>: the file system ran out of space while writing; retried when space returns.</summary>
    [JsonStringEnumMemberName("disk-full")]
    DiskFull,

    /// <summary><c>chunk-corrupt</c>: the retained chunk on the broker has the wrong length or hash, fetched again and still wrong.</summary>
    [JsonStringEnumMemberName("chunk-corrupt")]
    ChunkCorrupt,

    /// <summary><c>chunk-missing</c>: chunks the manifest lists are not on the broker (the status names them); the download waits for them.</summary>
    [JsonStringEnumMemberName("chunk-missing")]
    ChunkMissing,

    /// <summary><c>stalled</c>: a command's time ran out while the version it needs was stalled waiting for chunks.</summary>
    [JsonStringEnumMemberName("stalled")]
    Stalled,

    /// <summary><c>file-corrupt</c>: the assembled file or the URL's bytes do not match the signed length or sha256.</summary>
    [JsonStringEnumMemberName("file-corrupt")]
    FileCorrupt,

    /// <summary><c>source-unavailable</c>: the manifest's URL could not be read after retries; retried later.</summary>
    [JsonStringEnumMemberName("source-unavailable")]
    SourceUnavailable,

    /// <summary><c>preflight-failed</c>: the model crashed, ballooned, hung or failed to run in the separate pre-flight process.</summary>
    [JsonStringEnumMemberName("preflight-failed")]
    PreflightFailed,

    /// <summary><c>activation-failed</c>: the version could not be prepared or started on this device.</summary>
    [JsonStringEnumMemberName("activation-failed")]
    ActivationFailed,

    /// <summary><c>incompatible-with-pipeline</c>: the version does not fit a pipeline that serves the model (inputs, outputs, feature metadata).</summary>
    [JsonStringEnumMemberName("incompatible-with-pipeline")]
    IncompatibleWithPipeline,

    /// <summary><c>store-damaged</c>: a file in the model store does not match its signed manifest; it is fetched again where possible.</summary>
    [JsonStringEnumMemberName("store-damaged")]
    StoreDamaged,

    /// <summary><c>not-in-store</c>: a command names a version the device does not hold (nor a built-in one).</summary>
    [JsonStringEnumMemberName("not-in-store")]
    NotInStore,

    /// <summary><c>not-on-broker</c>: a deploy names a version the device lacks and whose manifest is not retained on the broker.</summary>
    [JsonStringEnumMemberName("not-on-broker")]
    NotOnBroker,

    /// <summary><c>not-older</c>: a rollback to a version that is not older than the serving one.</summary>
    [JsonStringEnumMemberName("not-older")]
    NotOlder,

    /// <summary><c>wrong-device</c>: a command signed for another device.</summary>
    [JsonStringEnumMemberName("wrong-device")]
    WrongDevice,

    /// <summary><c>timed-out</c>: a command's time ran out while its version was still being prepared (the work goes on).</summary>
    [JsonStringEnumMemberName("timed-out")]
    TimedOut,

    /// <summary><c>internal-error</c>: a fault in the daemon itself; the log has the details.</summary>
    [JsonStringEnumMemberName("internal-error")]
    InternalError,

    /// <summary><c>superseded</c>: a later command or a newer version replaced this work before it finished.</summary>
    [JsonStringEnumMemberName("superseded")]
    Superseded,

    /// <summary><c>replayed</c>: a command whose nonce the device admitted before (or cannot tell from one it dropped); answered with the first result, never carried out twice.</summary>
    [JsonStringEnumMemberName("replayed")]
    Replayed,

    /// <summary><c>not-targeted</c>: a manifest whose signed targets do not include this device (or that names no targets: signed before targets existed).</summary>
    [JsonStringEnumMemberName("not-targeted")]
    NotTargeted,

    /// <summary><c>wrong-version</c>: a manifest that names another version than the version topic it came on.</summary>
    [JsonStringEnumMemberName("wrong-version")]
    WrongVersion,

    /// <summary><c>stale</c>: the manifest on the model's latest topic is not vouched for by a fresh signed latest statement (expired, missing, or naming another manifest): not installed.</summary>
    [JsonStringEnumMemberName("stale")]
    Stale,
}
