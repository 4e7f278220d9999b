using EdgeRuntime.Graph.Checking;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Protobuf;
using EdgeRuntime.Graph.Operators;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx;

/// <summary>
/// A strict structural check of an ONNX file, our own (ONNX's checker is Python): every operator exists in its domain
/// at the opset the model imports (ai.onnx and ai.onnx.ml from ONNX's operator index; other domains must at least be
/// imported); every value is defined exactly once in the whole model and read only after it is defined (nodes in
/// topological order, subgraphs reading only values defined before their node); graph inputs and outputs carry
/// tensor element types; initializers are inputs before IR 4; and the types declared for computed values agree with
/// what the operators give (<see cref="DeclaredTypeCheck"/>). Pure; thread-safe.
/// </summary>
public static class OnnxModelChecker
{
    /// <summary>Every problem found in <paramref name="model"/>'s bytes, one line each; empty when the file is sound.</summary>
    public static IReadOnlyList<string> Check(byte[] model) => Check(model, out _);

    /// <summary>
    /// Every problem found in <paramref name="model"/>'s bytes, and the model as <see cref="OnnxModelReader"/> reads it
    /// (<paramref name="read"/>; null when the file did not get as far as being read), so a caller that checks and then
    /// reads parses the bytes once less.
    /// </summary>
    public static IReadOnlyList<string> Check(byte[] model, out Model? read) => Check(model, out read, keepParse: false);

    /// <summary>
    /// <see cref="Check(byte[], out Model?)"/>; with <paramref name="keepParse"/>, the parse of a model that got as far as
    /// being read is kept for <see cref="OnnxSubgraphs"/>' questions about the same bytes (branch checks ask them next),
    /// for as long as the array lives.
    /// </summary>
    public static IReadOnlyList<string> Check(byte[] model, out Model? read, bool keepParse)
    {
        ArgumentNullException.ThrowIfNull(model);
        read = null;
        ModelProto proto;

        // Parsed under the reader's limits, the proto serves the reading below too (one parse); a file those limits
        // refuse is still checked, and the reading then reports what it refuses, as a reading of the bytes would.
        ModelProto? readable = null;
        try
        {
            readable = ParseHandOff.Take(model) ?? (model.LongLength <= OnnxReadOptions.Default.MaxFileBytes ? OnnxModelReader.Parse(model, OnnxReadOptions.Default) : null);
        }
        catch (InvalidProtocolBufferException)
        {
            readable = null;
        }

        try
        {
            proto = readable ?? ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return [$"not a readable ONNX file: {ex.Message}"];
        }

        var problems = new List<string>();
        if (proto.IrVersion <= 0)
        {
            problems.Add($"ir_version {proto.IrVersion} is not a valid IR version");
        }

        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var opset in proto.OpsetImport)
        {
            var domain = opset.Domain == "ai.onnx" ? string.Empty : opset.Domain;
            if (!opsets.TryAdd(domain, opset.Version))
            {
                problems.Add($"opset_import lists domain '{opset.Domain}' twice");
            }
        }

        if (proto.Graph is null)
        {
            problems.Add("the model has no graph");
            return problems;
        }

        var checker = new GraphChecker(opsets, proto.IrVersion, problems, AllDefinitions(proto.Graph));
        checker.CheckGraph(proto.Graph, [], "the main graph", isMain: true);
        if (problems.Count > 0)
        {
            return problems;
        }

        try
        {
            var ir = readable is not null ? OnnxModelReader.Import(readable, "checked", null, OnnxReadOptions.Default) : OnnxModelReader.Read(model, "checked", null);
            problems.AddRange(GraphVerifier.Verify(ir));
            problems.AddRange(DeclaredTypeCheck.Check(ir));
            read = ir;
            if (keepParse)
            {
                OnnxSubgraphs.Remember(model, proto);
            }
        }
        catch (OnnxFormatException ex)
        {
            problems.Add(ex.Message);
        }

        return problems;
    }

    private static HashSet<string> AllDefinitions(GraphProto graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        names.UnionWith(graph.Input.Select(i => i.Name));
        names.UnionWith(graph.Initializer.Select(i => i.Name));
        foreach (var node in graph.Node)
        {
            names.UnionWith(node.Output.Where(o => o.Length > 0));
            foreach (var attribute in node.Attribute)
            {
                foreach (var nested in attribute.Graphs.Append(attribute.G).OfType<GraphProto>())
                {
                    names.UnionWith(AllDefinitions(nested));
                }
            }
        }

        return names;
    }

    private sealed class GraphChecker(Dictionary<string, long> opsets, long irVersion, List<string> problems, HashSet<string> everywhere)
    {
        private readonly HashSet<string> _defined = new(StringComparer.Ordinal);

        public void CheckGraph(GraphProto graph, HashSet<string> outer, string where, bool isMain)
        {
            var visible = new HashSet<string>(outer, StringComparer.Ordinal);
            var initializers = new HashSet<string>(StringComparer.Ordinal);
            foreach (var initializer in graph.Initializer)
            {
                if (!initializers.Add(initializer.Name))
                {
                    problems.Add($"{where} defines initializer '{initializer.Name}' twice");
                }
            }

            var inputs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var input in graph.Input)
            {
                if (!inputs.Add(input.Name))
                {
                    problems.Add($"{where} lists input '{input.Name}' twice");
                }

                CheckTensorType(input.Type, $"input '{input.Name}' of {where}", required: isMain && !initializers.Contains(input.Name));
                Define(input.Name, visible, where);
            }

            foreach (var name in initializers.Where(n => !inputs.Contains(n)))
            {
                if (irVersion < 4)
                {
                    problems.Add($"initializer '{name}' of {where} is not listed as an input, which IR version {irVersion} requires (from IR 4 on it need not be)");
                }

                Define(name, visible, where);
            }

            foreach (var node in graph.Node)
            {
                var label = $"node '{node.Name}' ({(node.Domain.Length > 0 ? node.Domain + "." : string.Empty)}{node.OpType}) in {where}";
                CheckOperator(node, label);
                foreach (var input in node.Input.Where(i => i.Length > 0))
                {
                    if (!visible.Contains(input))
                    {
                        problems.Add(everywhere.Contains(input)
                            ? $"{label} reads '{input}' before it is defined (nodes must be in execution order, and a subgraph sees only values defined before its node)"
                            : $"{label} reads '{input}', which nothing defines");
                    }
                }

                foreach (var attribute in node.Attribute)
                {
                    if (attribute.G is { } subgraph)
                    {
                        CheckGraph(subgraph, visible, $"subgraph '{attribute.Name}' of {label}", isMain: false);
                    }

                    foreach (var nested in attribute.Graphs)
                    {
                        CheckGraph(nested, visible, $"subgraph '{attribute.Name}' of {label}", isMain: false);
                    }
                }

                foreach (var output in node.Output.Where(o => o.Length > 0))
                {
                    Define(output, visible, label);
                }
            }

            foreach (var output in graph.Output)
            {
                if (!visible.Contains(output.Name))
                {
                    problems.Add($"{where} has output '{output.Name}', which nothing defines");
                }

                CheckTensorType(output.Type, $"output '{output.Name}' of {where}", required: isMain);
            }

            foreach (var info in graph.ValueInfo)
            {
                if (!visible.Contains(info.Name))
                {
                    problems.Add($"{where} has value_info for '{info.Name}', which nothing in it defines");
                }
            }
        }

        private void CheckOperator(NodeProto node, string label)
        {
            var domain = node.Domain == "ai.onnx" ? string.Empty : node.Domain;
            if (!opsets.TryGetValue(domain, out var version))
            {
                problems.Add($"{label} uses domain '{(domain.Length == 0 ? "ai.onnx" : domain)}', which the model does not import");
                return;
            }

            if (OnnxOperatorTable.Covers(domain) && !OnnxOperatorTable.Exists(domain, node.OpType, version))
            {
                problems.Add($"{label}: {node.OpType} does not exist in {(domain.Length == 0 ? "ai.onnx" : domain)} at opset {version} (the model's import)");
            }
        }

        private void Define(string name, HashSet<string> visible, string where)
        {
            if (!_defined.Add(name))
            {
                problems.Add($"'{name}' is defined again by {where}: every value must have exactly one definition in the whole model");
            }

            visible.Add(name);
        }

        private void CheckTensorType(TypeProto? type, string what, bool required)
        {
            if (type is null || type.ValueCase == TypeProto.ValueOneofCase.None)
            {
                if (required)
                {
                    problems.Add($"{what} has no type");
                }

                return;
            }

            if (type.ValueCase == TypeProto.ValueOneofCase.TensorType)
            {
                var elementType = (DataType)type.TensorType.ElemType;
                if (!DataTypes.IsDefined(elementType) && (required || type.TensorType.ElemType != 0))
                {
                    problems.Add($"{what} has element type {type.TensorType.ElemType}, which is not an ONNX element type");
                }

                foreach (var dim in type.TensorType.Shape?.Dim ?? [])
                {
                    if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dim.DimValue < 0)
                    {
                        problems.Add($"{what} has a negative dimension {dim.DimValue}");
                    }
                }
            }
        }
    }
}
