using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace EdgeRuntime.Core.Devices;

/// <summary>
/// The processor as far as compiled plans and kernels care: architecture, model name, and the instruction-set
/// extensions a kernel or an ONNX Runtime code path may use (read from <c>/proc/cpuinfo</c>'s flags or Features). Two
/// machines with the same fingerprint run the same code paths; a plan tuned on one is valid on the other.
/// </summary>
/// <param name="Architecture">x64, arm64, …</param>
/// <param name="Model">The processor's model name, or "unknown".</param>
/// <param name="Extensions">The relevant extensions present, sorted (e.g. avx2, avx512f, avx512_vnni, fma; asimd, asimddp, sve).</param>
public sealed record ProcessorFingerprint(string Architecture, string Model, IReadOnlyList<string> Extensions)
{
    // What changes which kernels ONNX Runtime and ILGPU's CPU back end pick; flags like "ht" or "vme" do not.
    private static readonly HashSet<string> Relevant = new(StringComparer.Ordinal)
    {
        "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni",
        "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16",
        "asimd", "asimdhp", "asimddp", "i8mm", "bf16", "sve", "sve2",
    };

    private static readonly Lazy<ProcessorFingerprint> Machine = new(() => Read("/proc/cpuinfo"));

    /// <summary>This machine's processor (read once).</summary>
    public static ProcessorFingerprint Current => Machine.Value;

    /// <summary>A short stable id: <c>{architecture}-{12 hex digits of the sha256 of model and extensions}</c>.</summary>
    public string Id => $"{Architecture}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Model}|{string.Join(',', Extensions)}")))[..12]}";

    /// <summary>Parses a cpuinfo file (missing or unreadable: architecture only).</summary>
    public static ProcessorFingerprint Read(string cpuinfoPath)
    {
        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string[] lines;
        try
        {
            lines = File.ReadAllLines(cpuinfoPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ProcessorFingerprint(architecture, "unknown", []);
        }

        static string? Value(string[] lines, string key) => lines
            .Where(l => l.StartsWith(key, StringComparison.Ordinal) && l.Contains(':', StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .FirstOrDefault();

        var model = Value(lines, "model name") ?? Value(lines, "Model") ?? Value(lines, "CPU part") ?? "unknown";
        var flags = (Value(lines, "flags") ?? Value(lines, "Features") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new ProcessorFingerprint(architecture, model, [.. flags.Where(Relevant.Contains).Distinct().Order(StringComparer.Ordinal)]);
    }
}
