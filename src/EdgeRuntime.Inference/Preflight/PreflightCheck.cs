using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Verification;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Preflight;

/// <summary>
/// The child side of pre-flight (<c>edge-runtime preflight MODEL --runs N</c>): read the file through the
/// guarded reader, create an ONNX Runtime session, run it on generated inputs. Writes one line — a JSON report
/// when it worked, the reason when not — and returns the exit code. Meant to run in a process of its own, where a
/// crash or runaway allocation costs only that process.
/// </summary>
public static class PreflightCheck
{
    /// <summary>Checks the model at <paramref name="path"/>; returns 0 when it loaded and ran.</summary>
    public static int Run(string path, int runs, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var watch = Stopwatch.StartNew();
        try
        {
            var model = OnnxModelReader.Read(path);
            var bytes = File.ReadAllBytes(path);
            using var session = ModelSession.Create(bytes, new SessionSettings());
            var outputs = 0;
            for (var run = 0; run < runs; run++)
            {
                outputs = session.Run(InputGenerator.Generate(model, seed: run)).Count;
            }

            var report = new PreflightReport(true, session.InputNames.Count, outputs, runs, watch.Elapsed.TotalMilliseconds);
            output.WriteLine(JsonSerializer.Serialize(report, PreflightJsonContext.Default.PreflightReport));
            return 0;
        }
        catch (Exception ex) when (ex is OnnxFormatException or OnnxRuntimeException or NotSupportedException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or OutOfMemoryException)
        {
            output.WriteLine(ex.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    internal sealed record PreflightReport(
        [property: JsonPropertyName("ok")] bool Ok,
        [property: JsonPropertyName("inputs")] int Inputs,
        [property: JsonPropertyName("outputs")] int Outputs,
        [property: JsonPropertyName("runs")] int Runs,
        [property: JsonPropertyName("milliseconds")] double Milliseconds);
}

[JsonSerializable(typeof(PreflightCheck.PreflightReport))]
internal sealed partial class PreflightJsonContext : JsonSerializerContext;
