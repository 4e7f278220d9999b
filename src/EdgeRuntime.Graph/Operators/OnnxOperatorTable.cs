namespace EdgeRuntime.Graph.Operators;

/// <summary>
/// Which operators exist in the standard ONNX domains (ai.onnx, ai.onnx.ml) at which opset version, from ONNX's own
/// operator index (<see cref="Source"/>; regenerate with generate-operator-table.py beside this file). Thread-safe.
/// </summary>
public static partial class OnnxOperatorTable
{
    // Built on first use: static fields of the generated part may not be initialised yet when this part's are.
    private static Dictionary<(string Domain, string Operator), (int[] Since, bool Deprecated)> Lookup =>
        LazyLookup.Value;

    private static readonly Lazy<Dictionary<(string Domain, string Operator), (int[] Since, bool Deprecated)>> LazyLookup =
        new(() => Entries.ToDictionary(e => (e.Domain, e.Operator), e => (e.Since, e.Deprecated)));

    /// <summary>Whether the table covers <paramref name="domain"/> ("" and "ai.onnx" are the default domain; "ai.onnx.ml").</summary>
    public static bool Covers(string domain) => Normalise(domain) is "" or "ai.onnx.ml";

    /// <summary>
    /// The version of <paramref name="op"/>'s definition in effect at opset <paramref name="opset"/> of
    /// <paramref name="domain"/>, or null when the operator does not exist there (not yet introduced, deprecated by
    /// then, or unknown). Only meaningful for domains the table <see cref="Covers"/>.
    /// </summary>
    public static int? DefinitionAt(string domain, string op, long opset)
    {
        if (!Lookup.TryGetValue((Normalise(domain), op), out var entry))
        {
            return null;
        }

        var since = entry.Since;
        var last = entry.Deprecated ? since.Length - 2 : since.Length - 1;
        for (var i = last; i >= 0; i--)
        {
            if (since[i] <= opset)
            {
                // A deprecated operator's last entry is the version that removed it.
                return entry.Deprecated && opset >= since[^1] ? null : since[i];
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="op"/> exists in <paramref name="domain"/> at opset <paramref name="opset"/>.</summary>
    public static bool Exists(string domain, string op, long opset) => DefinitionAt(domain, op, opset) is not null;

    private static string Normalise(string domain) => domain == "ai.onnx" ? string.Empty : domain;
}
