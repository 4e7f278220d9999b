using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EdgeRuntime.Core.Models;

/// <summary>
/// What an execution plan derived from a model depends on — so a cached plan is used only where it was made for: the
/// exact model bytes, this processor and execution provider, the ONNX Runtime and EdgeRuntime versions that wrote it,
/// the input shapes it was specialised for, and the options that chose it. A plan search cache keys its entries the same
/// way (a different key is a cache miss, never an error). Immutable; compare with value equality or <see cref="ContentHash"/>.
/// </summary>
/// <param name="ModelSha256">The signed sha256 of the model file the plan was derived from (lower-case hex).</param>
/// <param name="Device">The processor fingerprint (<see cref="Devices.ProcessorFingerprint.Id"/>) and execution provider, e.g. <c>x64-avx512vnni-3f2a1c…/Cpu</c>.</param>
/// <param name="OnnxRuntimeVersion">The ONNX Runtime version that built and runs the plan.</param>
/// <param name="RuntimeVersion">The EdgeRuntime version (optimiser passes change between versions).</param>
/// <param name="InputShapes">The model's inputs as <c>name:d0xd1x…</c> joined by <c>;</c>, free dimensions as <c>?</c>.</param>
/// <param name="Options">Everything else that chose the plan (optimisation level, whether variants were measured …), as <c>key=value</c> joined by <c>;</c>.</param>
public sealed record PlanCacheKey(string ModelSha256, string Device, string OnnxRuntimeVersion, string RuntimeVersion, string InputShapes, string Options)
{
    /// <summary>The sha256 of the key's canonical text form: a file or folder name for the cache entry.</summary>
    public string ContentHash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"model={ModelSha256}\ndevice={Device}\nort={OnnxRuntimeVersion}\nruntime={RuntimeVersion}\ninputs={InputShapes}\noptions={Options}\n")));

    /// <summary>The canonical form of input shapes: <c>x:1x4;window:?x12x5</c> (-1 and other free dimensions as <c>?</c>).</summary>
    public static string Shapes(IEnumerable<KeyValuePair<string, int[]>> inputs) =>
        string.Join(';', inputs.Select(i => $"{i.Key}:{string.Join('x', i.Value.Select(d => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : "?"))}"));
}
