using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Planning;

/// <summary>The numeric precision a plan computes in (our precision passes over the graph IR produce the non-fp32 forms).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PlanPrecision>))]
public enum PlanPrecision
{
    /// <summary>As delivered: float32.</summary>
    [JsonStringEnumMemberName("fp32")]
    Fp32,

    /// <summary>MatMul/Gemm weights in int8, activations quantised per run (ONNX Runtime's DynamicQuantizeMatMul).</summary>
    [JsonStringEnumMemberName("int8-dynamic")]
    Int8Dynamic,

    /// <summary>Conv/MatMul in int8 through QuantizeLinear/DequantizeLinear pairs, activation ranges calibrated on recorded inputs.</summary>
    [JsonStringEnumMemberName("int8-static")]
    Int8Static,

    /// <summary>float16 compute with numerically sensitive operators kept in float32 (GPU providers only).</summary>
    [JsonStringEnumMemberName("fp16")]
    Fp16,
}
