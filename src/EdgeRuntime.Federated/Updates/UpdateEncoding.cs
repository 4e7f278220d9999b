using System.Text.Json.Serialization;

namespace EdgeRuntime.Federated.Updates;

/// <summary>How an update's delta is carried.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UpdateEncoding>))]
public enum UpdateEncoding
{
    /// <summary>float32, 4 bytes a value.</summary>
    [JsonStringEnumMemberName("f32")]
    Float32,

    /// <summary>
    /// int8 in blocks of <see cref="Compression.BlockQuantizer.BlockSize"/> values, each block with its float32 scale
    /// (max |x| / 127): about 1.02 bytes a value. Devices keep the rounding error and add it to the next update (error
    /// feedback), so nothing is lost over rounds.
    /// </summary>
    [JsonStringEnumMemberName("q8")]
    Quantized8,

    /// <summary>The k largest values by magnitude (indices + q8 values); the rest stays in the error-feedback residual.</summary>
    [JsonStringEnumMemberName("topk-q8")]
    TopKQuantized8,
}
