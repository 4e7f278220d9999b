using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;
using IrAttribute = EdgeRuntime.Graph.Ir.Attribute;
using IrGraph = EdgeRuntime.Graph.Ir.Graph;

namespace EdgeRuntime.Graph.Onnx.Import;

/// <summary>
/// ModelProto to IR. Names resolve through scopes (a subgraph sees its own values, then its parents'),
/// nodes may appear in any order in the file, and what the IR does not model is kept as preserved bytes.
/// </summary>
internal sealed class ModelImporter(string source, string? baseDirectory, OnnxReadOptions options)
{
    private readonly TensorImporter _tensors = new(source, baseDirectory, options);

    public Model Import(ModelProto proto)
    {
        var graph = new IrGraph(proto.Graph.Name);
        var model = new Model(graph)
        {
            IrVersion = proto.IrVersion,
            ProducerName = proto.ProducerName,
            ProducerVersion = proto.ProducerVersion,
            Domain = proto.Domain,
            ModelVersion = proto.ModelVersion,
            DocString = proto.DocString,
        };
        model.OpsetImports.AddRange(proto.OpsetImport.Select(o => new OpsetImport(o.Domain, o.Version)));
        model.Metadata.AddRange(proto.MetadataProps.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

        ImportGraph(proto.Graph, graph, new Scope(null));

        // The rest is cloned without the graph (a deep clone of every node and weight would be thrown away at once).
        var mainGraph = proto.Graph;
        proto.Graph = null;
        var rest = proto.Clone();
        proto.Graph = mainGraph;
        rest.ClearIrVersion();
        rest.OpsetImport.Clear();
        rest.ClearProducerName();
        rest.ClearProducerVersion();
        rest.ClearDomain();
        rest.ClearModelVersion();
        rest.ClearDocString();
        rest.Graph = null;
        rest.MetadataProps.Clear();
        model.Preserved = rest.ToByteArray();

        try
        {
            foreach (var each in graph.SelfAndDescendants())
            {
                each.SortTopologically();
            }
        }
        catch (GraphCycleException ex)
        {
            throw new OnnxFormatException($"{source}: {ex.Message}", ex);
        }

        return model;
    }

    private void ImportGraph(GraphProto proto, IrGraph graph, Scope scope)
    {
        if (graph.Depth > options.MaxGraphDepth)
        {
            throw Fail($"graph '{proto.Name}' is nested {graph.Depth} levels deep, more than the limit of {options.MaxGraphDepth}");
        }

        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var initializer in proto.Initializer)
        {
            if (!initializers.TryAdd(initializer.Name, initializer))
            {
                throw Fail($"graph '{proto.Name}' defines initializer '{initializer.Name}' twice");
            }
        }

        foreach (var input in proto.Input)
        {
            var type = ImportType(input.Type, $"input '{input.Name}'");
            if (initializers.Remove(input.Name, out var tensor))
            {
                var value = graph.AddInitializer(input.Name, _tensors.Import(tensor, $"initializer '{input.Name}'"), overridable: true);
                value.Type = type ?? value.Type;
                Define(scope, input.Name, value, proto.Name);
            }
            else
            {
                Define(scope, input.Name, graph.AddInput(input.Name, type), proto.Name);
            }
        }

        foreach (var initializer in proto.Initializer.Where(i => initializers.ContainsKey(i.Name)))
        {
            Define(scope, initializer.Name, graph.AddInitializer(initializer.Name, _tensors.Import(initializer, $"initializer '{initializer.Name}'")), proto.Name);
        }

        foreach (var sparse in proto.SparseInitializer)
        {
            var name = sparse.Values?.Name ?? string.Empty;
            Define(scope, name, graph.AddInitializer(name, _tensors.ImportSparse(sparse, $"sparse initializer '{name}'")), proto.Name);
        }

        // Outputs of every node first, so that nodes may read values produced later in the file.
        var nodes = new List<(NodeProto Proto, Node Node)>(proto.Node.Count);
        foreach (var nodeProto in proto.Node)
        {
            if (nodeProto.OpType.Length == 0)
            {
                throw Fail($"graph '{proto.Name}' has a node{(nodeProto.Name.Length > 0 ? $" '{nodeProto.Name}'" : string.Empty)} without an operator type");
            }

            var outputs = nodeProto.Output.Select(o => o.Length == 0 ? null : o).ToList();
            var node = graph.AddNode(nodeProto.OpType, [], outputs, nodeProto.Domain, nodeProto.Name.Length > 0 ? nodeProto.Name : null);
            for (var i = 0; i < outputs.Count; i++)
            {
                if (outputs[i] is { } name)
                {
                    Define(scope, name, node.Outputs[i]!, proto.Name);
                }
            }

            nodes.Add((nodeProto, node));
        }

        foreach (var (nodeProto, node) in nodes)
        {
            for (var i = 0; i < nodeProto.Input.Count; i++)
            {
                var name = nodeProto.Input[i];
                node.SetInput(i, name.Length == 0 ? null : scope.Resolve(name) ?? throw Fail($"node '{node.Name}' ({node.OpType}) reads '{name}', which nothing defines"));
            }

            foreach (var attribute in nodeProto.Attribute)
            {
                node.SetAttribute(ImportAttribute(attribute, graph, scope, node));
            }

            var rest = CloneWithout(nodeProto, nodeProto.Attribute);
            rest.Input.Clear();
            rest.Output.Clear();
            rest.ClearName();
            rest.ClearOpType();
            rest.ClearDomain();
            rest.Attribute.Clear();
            node.Preserved = rest.ToByteArray();
        }

        foreach (var output in proto.Output)
        {
            var value = scope.Resolve(output.Name) ?? throw Fail($"graph '{proto.Name}' has output '{output.Name}', which nothing defines");
            value.Type ??= ImportType(output.Type, $"output '{output.Name}'");
            graph.AddOutput(value);
        }

        foreach (var info in proto.ValueInfo)
        {
            if (scope.ResolveLocal(info.Name) is { } value)
            {
                value.Type ??= ImportType(info.Type, $"value '{info.Name}'");
            }
        }

        var graphRest = CloneWithout(proto, proto.Node, proto.Initializer, proto.SparseInitializer, proto.Input, proto.Output, proto.ValueInfo);
        graphRest.Node.Clear();
        graphRest.ClearName();
        graphRest.Initializer.Clear();
        graphRest.SparseInitializer.Clear();
        graphRest.Input.Clear();
        graphRest.Output.Clear();
        graphRest.ValueInfo.Clear();
        graph.Preserved = graphRest.ToByteArray();
    }

    private IrAttribute ImportAttribute(AttributeProto proto, IrGraph graph, Scope scope, Node node)
    {
        var where = $"attribute '{proto.Name}' of node '{node.Name}'";
        var type = proto.Type != AttributeProto.Types.AttributeType.Undefined ? proto.Type : InferAttributeType(proto, where);
        IrAttribute attribute = type switch
        {
            AttributeProto.Types.AttributeType.Float => IrAttribute.FromFloat(proto.Name, proto.F),
            AttributeProto.Types.AttributeType.Int => IrAttribute.FromInt(proto.Name, proto.I),
            AttributeProto.Types.AttributeType.String => IrAttribute.FromBytes(proto.Name, proto.S.ToByteArray()),
            AttributeProto.Types.AttributeType.Tensor => IrAttribute.FromTensor(proto.Name, _tensors.Import(proto.T, where)),
            AttributeProto.Types.AttributeType.Graph => IrAttribute.FromGraph(proto.Name, ImportSubgraph(proto.G, graph, scope, where)),
            AttributeProto.Types.AttributeType.Floats => IrAttribute.FromFloats(proto.Name, proto.Floats),
            AttributeProto.Types.AttributeType.Ints => IrAttribute.FromInts(proto.Name, proto.Ints),
            AttributeProto.Types.AttributeType.Strings => IrAttribute.FromStrings(proto.Name, proto.Strings.Select(s => (ReadOnlyMemory<byte>)s.ToByteArray())),
            AttributeProto.Types.AttributeType.Tensors => IrAttribute.FromTensors(proto.Name, proto.Tensors.Select((t, i) => _tensors.Import(t, $"{where} [{i}]"))),
            AttributeProto.Types.AttributeType.Graphs => IrAttribute.FromGraphs(proto.Name, proto.Graphs.Select((g, i) => ImportSubgraph(g, graph, scope, $"{where} [{i}]"))),
            _ => IrAttribute.FromOpaque(proto.Name, type.ToString(), OpaquePayload(proto)),
        };

        // Everything but the value and the name (doc string, unknown fields) travels as preserved bytes.
        var (subgraph, tensor) = (proto.G, proto.T);
        (proto.G, proto.T) = (null, null);
        var rest = CloneWithout(proto, proto.Graphs, proto.Tensors);
        (proto.G, proto.T) = (subgraph, tensor);
        rest.ClearName();
        rest.ClearType();
        rest.ClearRefAttrName();
        rest.ClearF();
        rest.ClearI();
        rest.ClearS();
        rest.T = null;
        rest.G = null;
        rest.SparseTensor = null;
        rest.Tp = null;
        rest.Floats.Clear();
        rest.Ints.Clear();
        rest.Strings.Clear();
        rest.Tensors.Clear();
        rest.Graphs.Clear();
        rest.SparseTensors.Clear();
        rest.TypeProtos.Clear();
        return attribute.With(rest.ToByteArray(), proto.HasRefAttrName ? proto.RefAttrName : null);
    }

    /// <summary>
    /// A clone of <paramref name="message"/> with <paramref name="fields"/> (repeated fields of it) empty: they are
    /// emptied for the clone and put back as they were, so what the caller clears anyway is never deep-copied (a
    /// node's subgraphs, a graph's nodes and weights). Every other field and the unknown fields are cloned as before.
    /// </summary>
    private static T CloneWithout<T>(T message, params System.Collections.IList[] fields)
        where T : IDeepCloneable<T>
    {
        var saved = fields.Select(f => f.Cast<object>().ToArray()).ToArray();
        foreach (var field in fields)
        {
            field.Clear();
        }

        try
        {
            return message.Clone();
        }
        finally
        {
            for (var i = 0; i < fields.Length; i++)
            {
                foreach (var item in saved[i])
                {
                    fields[i].Add(item);
                }
            }
        }
    }

    private static ByteString OpaquePayloadString(AttributeProto proto)
    {
        var copy = new AttributeProto { Type = proto.Type };
        switch (proto.Type)
        {
            case AttributeProto.Types.AttributeType.SparseTensor:
                copy.SparseTensor = proto.SparseTensor;
                break;
            case AttributeProto.Types.AttributeType.TypeProto:
                copy.Tp = proto.Tp;
                break;
            default:
                copy.SparseTensors.Add(proto.SparseTensors);
                copy.TypeProtos.Add(proto.TypeProtos);
                break;
        }

        return copy.ToByteString();
    }

    private static byte[] OpaquePayload(AttributeProto proto) => OpaquePayloadString(proto).ToByteArray();

    private IrGraph ImportSubgraph(GraphProto proto, IrGraph parent, Scope scope, string where)
    {
        if (proto is null)
        {
            throw Fail($"{where} is a graph attribute without a graph");
        }

        var subgraph = parent.CreateSubgraph(proto.Name);
        if (subgraph.Depth > options.MaxGraphDepth)
        {
            throw Fail($"{where} nests graphs {subgraph.Depth} levels deep, more than the limit of {options.MaxGraphDepth}");
        }

        ImportGraph(proto, subgraph, new Scope(scope));
        return subgraph;
    }

    private AttributeProto.Types.AttributeType InferAttributeType(AttributeProto proto, string where)
    {
        // Exporters before IR 3 did not write the type; the field that is set tells it.
        if (proto.Floats.Count > 0)
        {
            return AttributeProto.Types.AttributeType.Floats;
        }

        if (proto.Ints.Count > 0)
        {
            return AttributeProto.Types.AttributeType.Ints;
        }

        if (proto.Strings.Count > 0)
        {
            return AttributeProto.Types.AttributeType.Strings;
        }

        if (proto.Tensors.Count > 0)
        {
            return AttributeProto.Types.AttributeType.Tensors;
        }

        if (proto.Graphs.Count > 0)
        {
            return AttributeProto.Types.AttributeType.Graphs;
        }

        if (proto.T is not null)
        {
            return AttributeProto.Types.AttributeType.Tensor;
        }

        if (proto.G is not null)
        {
            return AttributeProto.Types.AttributeType.Graph;
        }

        if (proto.HasS)
        {
            return AttributeProto.Types.AttributeType.String;
        }

        if (proto.HasI)
        {
            return AttributeProto.Types.AttributeType.Int;
        }

        if (proto.HasF)
        {
            return AttributeProto.Types.AttributeType.Float;
        }

        throw Fail($"{where} has no type and no value");
    }

    private Ir.ValueType? ImportType(TypeProto? type, string what) => TypeImporter.Import(type, problem => Fail($"{what} {problem}"));

    private void Define(Scope scope, string name, Value value, string graphName)
    {
        if (!scope.TryDefine(name, value))
        {
            throw Fail($"graph '{graphName}' defines '{name}' twice");
        }
    }

    private OnnxFormatException Fail(string problem) => new($"{source}: {problem}");

    /// <summary>Names visible in a graph: its own definitions, then the enclosing graph's.</summary>
    private sealed class Scope(Scope? outer)
    {
        private readonly Dictionary<string, Value> _names = new(StringComparer.Ordinal);

        public bool TryDefine(string name, Value value) => _names.TryAdd(name, value);

        public Value? ResolveLocal(string name) => _names.GetValueOrDefault(name);

        public Value? Resolve(string name) => _names.GetValueOrDefault(name) ?? outer?.Resolve(name);
    }
}
