using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes.Rules;

/// <summary>Recurrent layers (LSTM, GRU, RNN); If, whose outputs follow its branches; Loop, whose final loop-carried values keep their element types.</summary>
internal static class SequenceModelRules
{
    public static void Register(Dictionary<string, ShapeInference.Rule> rules)
    {
        foreach (var op in new[] { "LSTM", "GRU", "RNN" })
        {
            rules[op] = c =>
            {
                var x = c.Shape(0);
                var hidden = c.Int("hidden_size", -1);
                var directions = c.Node.GetString("direction", "forward") == "bidirectional" ? 2 : 1;
                var batchFirst = c.Int("layout", 0) != 0;
                var element = c.ElementType(0);
                if (x is not { Rank: 3 } || hidden < 0)
                {
                    return [new TensorType(element, null), new TensorType(element, null), new TensorType(element, null)];
                }

                var (sequence, batch) = batchFirst ? (x.Dims[1], x.Dims[0]) : (x.Dims[0], x.Dims[1]);
                var y = batchFirst
                    ? new TensorShape([batch, sequence, Dim.Known(directions), Dim.Known(hidden)])
                    : new TensorShape([sequence, Dim.Known(directions), batch, Dim.Known(hidden)]);
                var state = batchFirst
                    ? new TensorShape([batch, Dim.Known(directions), Dim.Known(hidden)])
                    : new TensorShape([Dim.Known(directions), batch, Dim.Known(hidden)]);
                return [new TensorType(element, y), new TensorType(element, state), new TensorType(element, state)];
            };
        }

        rules["Loop"] = c =>
        {
            // Inputs: trip count, condition, then the loop-carried values; outputs: their final values, then scan outputs.
            var carried = Math.Max(0, c.InputCount - 2);
            return [.. c.Node.Outputs.Select((_, i) => i < carried && c.ElementType(i + 2) is var type and not DataType.Undefined ? new TensorType(type, null) : (Ir.ValueType?)null)];
        };
        rules["If"] = c =>
        {
            var then = c.Node.Attribute("then_branch")?.Graph;
            var otherwise = c.Node.Attribute("else_branch")?.Graph;
            if (then is null || otherwise is null)
            {
                return [];
            }

            return [.. then.Outputs.Zip(otherwise.Outputs, (a, b) => a.Type == b.Type ? a.Type : (a.Type as TensorType)?.ElementType is { } t && t == (b.Type as TensorType)?.ElementType ? new TensorType(t, null) : null)];
        };
    }
}
