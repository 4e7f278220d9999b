using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Outbox;

/// <summary>How an outbox entry ended, as its receiver reported it (or the device's own expiry policy).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutboxOutcome>))]
public enum OutboxOutcome
{
    /// <summary>The receiver has it durably (an update buffered for aggregation, a partial folded in).</summary>
    [JsonStringEnumMemberName("accepted")]
    Accepted,

    /// <summary>The receiver had it already (a resend whose first copy arrived); counted once, under its first outcome.</summary>
    [JsonStringEnumMemberName("duplicate")]
    Duplicate,

    /// <summary>Too old to use: a federated update whose base version is past the aggregator's maximum staleness.</summary>
    [JsonStringEnumMemberName("expired")]
    Expired,

    /// <summary>Refused for a reason the receipt names (bad signature, unknown device, wrong shape).</summary>
    [JsonStringEnumMemberName("rejected")]
    Rejected,

    /// <summary>The broker acknowledged it (entries released on the broker's acknowledgement).</summary>
    [JsonStringEnumMemberName("delivered")]
    Delivered,
}
