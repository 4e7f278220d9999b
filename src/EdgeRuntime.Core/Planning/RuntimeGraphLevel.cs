using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Planning;

/// <summary>ONNX Runtime's own graph optimisation level (its <c>GraphOptimizationLevel</c>), as a plan names it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RuntimeGraphLevel>))]
public enum RuntimeGraphLevel
{
    /// <summary>No ONNX Runtime graph rewrites.</summary>
    [JsonStringEnumMemberName("disabled")]
    Disabled,

    /// <summary>Constant folding and redundant-node removal.</summary>
    [JsonStringEnumMemberName("basic")]
    Basic,

    /// <summary>Plus operator fusions (GELU, LayerNorm, attention, DynamicQuantizeMatMul, QDQ → QLinear*).</summary>
    [JsonStringEnumMemberName("extended")]
    Extended,

    /// <summary>Plus layout rewrites (NCHWc on x64). ONNX Runtime's default.</summary>
    [JsonStringEnumMemberName("all")]
    All,
}
