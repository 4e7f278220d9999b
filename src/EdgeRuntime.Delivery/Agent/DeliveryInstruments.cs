using System.Diagnostics.Metrics;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>Model delivery's measurements (System.Diagnostics.Metrics meter <c>EdgeRuntime.Delivery</c>).</summary>
public static class DeliveryInstruments
{
    /// <summary>The meter's name, for exporters.</summary>
    public const string MeterName = "EdgeRuntime.Delivery";

    /// <summary>The meter.</summary>
    public static readonly Meter Meter = new(MeterName);

    /// <summary><c>edge.model.delivery.bytes</c>: bytes of verified chunks received, tagged <c>model</c>.</summary>
    public static readonly Counter<long> ChunkBytes = Meter.CreateCounter<long>(
        "edge.model.delivery.bytes", unit: "By", description: "Bytes of model chunks received and verified");
}
