using System.Runtime.CompilerServices;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Export;
using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx;

/// <summary>
/// Turns pieces of a model into models of their own, for verifying what inputs cannot reach: a graph attribute (an
/// If branch) of a node of the main graph becomes a model whose inputs are the outer values it reads, and any values
/// of the main graph can be made extra outputs so a run shows them. Nodes are found by name, so work on files this
/// library wrote (every node named). Pure; thread-safe.
/// </summary>
public static class OnnxSubgraphs
{
    /// <summary>
    /// The names of the main-graph values that subgraph <paramref name="attribute"/> of node <paramref name="nodeName"/>
    /// reads (directly or from subgraphs nested in it), in first-read order; null when there is no such node or attribute.
    /// </summary>
    public static IReadOnlyList<string>? OuterValues(byte[] model, string nodeName, string attribute)
    {
        var graph = FindSubgraph(Parse(model), nodeName, attribute);
        return graph is null ? null : OuterReads(graph);
    }

    /// <summary>
    /// The model with <paramref name="names"/> (values of the main graph: node outputs, inputs, initializers) appended as
    /// outputs; names that are outputs already are skipped.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a value of the main graph.</exception>
    public static byte[] WithOutputs(byte[] model, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var ir = OnnxModelReader.Read(model, "instrumented", null);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var value = ir.Graph.FindValue(name) ?? throw new ArgumentException($"'{name}' is not a value of the main graph", nameof(names));
            if (!value.IsGraphOutput)
            {
                ir.Graph.AddOutput(value);
            }
        }

        return OnnxModelWriter.ToBytes(ir);
    }

    /// <summary>
    /// What <see cref="WithOutputs(byte[], IEnumerable{string})"/> gives for the bytes <paramref name="model"/> was read
    /// from, without reading them again: the outputs are added for the write and removed afterwards, so the model is
    /// left as it was. Only for a model exactly as read (types inferred into it would be written too); not while another
    /// thread uses the same model.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a value of the main graph.</exception>
    public static byte[] WithOutputs(Model model, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(names);
        var added = new List<Value>();
        try
        {
            foreach (var name in names.Distinct(StringComparer.Ordinal))
            {
                var value = model.Graph.FindValue(name) ?? throw new ArgumentException($"'{name}' is not a value of the main graph", nameof(names));
                if (!value.IsGraphOutput)
                {
                    model.Graph.AddOutput(value);
                    added.Add(value);
                }
            }

            return OnnxModelWriter.ToBytes(model);
        }
        finally
        {
            foreach (var value in added)
            {
                model.Graph.RemoveOutput(value);
            }
        }
    }

    /// <summary>
    /// Whether every node of every graph in <paramref name="model"/>'s bytes has a name of its own (not empty, used once in
    /// the file) and <paramref name="read"/>, the model as read from those bytes, kept them all: then the bytes answer the
    /// questions above about any node of the model as they are, with no copy written to name its nodes.
    /// </summary>
    public static bool NodeNamesKept(byte[] model, Model read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var inFile = new List<string>();
        var pending = new Stack<GraphProto>();
        if (Parse(model).Graph is { } main)
        {
            pending.Push(main);
        }

        while (pending.TryPop(out var graph))
        {
            foreach (var node in graph.Node)
            {
                inFile.Add(node.Name);
                foreach (var attribute in node.Attribute)
                {
                    foreach (var nested in attribute.Graphs.Append(attribute.G).OfType<GraphProto>())
                    {
                        pending.Push(nested);
                    }
                }
            }
        }

        var names = inFile.ToHashSet(StringComparer.Ordinal);
        if (names.Count != inFile.Count || names.Contains(string.Empty))
        {
            return false;
        }

        var kept = read.Graph.SelfAndDescendants().SelectMany(g => g.Nodes).Select(n => n.Name).ToList();
        return kept.Count == names.Count && kept.All(names.Contains);
    }

    /// <summary>Drops the parse kept for <paramref name="model"/>'s bytes (<see cref="Remember"/>), for a caller that will ask nothing more about them.</summary>
    public static void Forget(byte[] model) => Parsed.Remove(model);

    /// <summary>
    /// <paramref name="model"/> as <see cref="OnnxModelWriter.ToBytes"/> writes it (every node named), and the model as
    /// the reader reads those bytes (as <paramref name="sourceName"/>), from one export and no parse: the IR is imported
    /// from the message the bytes were written from, which also answers later questions about the bytes, as for
    /// <see cref="StandaloneModel"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model exceeds the 2 GiB a single protobuf may hold.</exception>
    /// <exception cref="OnnxFormatException">The written model is not one the reader accepts.</exception>
    public static (byte[] Bytes, Model Ir) Written(Model model, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = ModelExporter.Export(model);
        if (proto.CalculateSize() < 0)
        {
            throw new InvalidOperationException("the model is larger than the 2 GiB an inline ONNX file can hold");
        }

        return BytesAndIr(proto, sourceName);
    }

    /// <summary>
    /// The model <paramref name="model"/> holds, unchanged, with <paramref name="names"/> appended as outputs of the main
    /// graph, declared by name only (ONNX Runtime infers their types), without reading or rewriting the model: a protobuf
    /// parser merges a message field that occurs twice and appends to repeated fields, so the bytes of
    /// <c>ModelProto { graph { output: … } }</c> written after the model's own are the model with those outputs. The
    /// caller passes values of the main graph (node outputs) that are not outputs already; ONNX Runtime refuses a model
    /// naming anything else, so a caller that is unsure falls back when loading fails.
    /// </summary>
    public static byte[] AppendOutputs(byte[] model, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(names);
        var graph = new GraphProto();
        graph.Output.AddRange(names.Distinct(StringComparer.Ordinal).Select(n => new ValueInfoProto { Name = n }));
        if (graph.Output.Count == 0)
        {
            return model;
        }

        var tail = new ModelProto { Graph = graph }.ToByteArray();
        var bytes = new byte[model.Length + tail.Length];
        model.CopyTo(bytes, 0);
        tail.CopyTo(bytes, model.Length);
        return bytes;
    }

    /// <summary>
    /// Subgraph <paramref name="attribute"/> of main-graph node <paramref name="nodeName"/> as a model of its own: same IR
    /// version and opsets, its outer reads become inputs of the given element types (shapes left free), its outputs
    /// the model's outputs in order. Null when there is no such node or attribute.
    /// </summary>
    public static byte[]? Standalone(byte[] model, string nodeName, string attribute, IReadOnlyDictionary<string, DataType> outerTypes) =>
        StandaloneProto(model, nodeName, attribute, outerTypes)?.ToByteArray();

    /// <summary>
    /// What <see cref="Standalone"/> gives, and the model as <see cref="OnnxModelReader.Read(byte[], string, string?, OnnxReadOptions?)"/>
    /// reads those bytes (as <paramref name="sourceName"/>), without parsing them: the IR is imported from the message the
    /// bytes were written from, and that message also answers later questions about the bytes (<see cref="OuterValues"/>,
    /// <see cref="Standalone"/> of branches nested in it). Null when there is no such node or attribute.
    /// </summary>
    /// <param name="model">The model holding the branch.</param>
    /// <param name="nodeName">The If node (or other node with a graph attribute) of the main graph.</param>
    /// <param name="attribute">Its graph attribute.</param>
    /// <param name="outerTypes">Element types of the outer values the branch reads.</param>
    /// <param name="sourceName">The name the IR is read as.</param>
    /// <param name="shareMessages">
    /// Whether the standalone message shares the nodes and weights of <paramref name="model"/>'s parse instead of
    /// copying them (same bytes, less work). Only where no other thread asks questions about <paramref name="model"/>'s
    /// bytes meanwhile: importing changes the messages it reads for a moment.
    /// </param>
    /// <exception cref="OnnxFormatException">The standalone model is not one the reader accepts.</exception>
    public static (byte[] Bytes, Model Ir)? StandaloneModel(byte[] model, string nodeName, string attribute, IReadOnlyDictionary<string, DataType> outerTypes, string sourceName, bool shareMessages = false)
    {
        if (StandaloneProto(model, nodeName, attribute, outerTypes, shareMessages) is not { } proto)
        {
            return null;
        }

        return BytesAndIr(proto, sourceName);
    }

    /// <summary>
    /// <paramref name="proto"/>'s bytes and the model the reader gives for them, imported from <paramref name="proto"/>
    /// itself instead of parsing the bytes again; <paramref name="proto"/> then answers later questions about the bytes.
    /// </summary>
    private static (byte[] Bytes, Model Ir) BytesAndIr(ModelProto proto, string sourceName)
    {
        var bytes = proto.ToByteArray();
        if (bytes.LongLength > OnnxReadOptions.Default.MaxFileBytes)
        {
            // Over the reader's limits: the reader says so, as for any other bytes.
            return (bytes, OnnxModelReader.Read(bytes, sourceName, null));
        }

        var ir = OnnxModelReader.Import(proto, sourceName, null, OnnxReadOptions.Default);
        Parsed.AddOrUpdate(bytes, proto);
        return (bytes, ir);
    }

    private static ModelProto? StandaloneProto(byte[] model, string nodeName, string attribute, IReadOnlyDictionary<string, DataType> outerTypes, bool shareMessages = false)
    {
        ArgumentNullException.ThrowIfNull(outerTypes);
        var proto = Parse(model);
        if (FindSubgraph(proto, nodeName, attribute) is not { } subgraph)
        {
            return null;
        }

        // Merging into an empty message copies the graph's own fields and adds the same node and weight messages to its
        // lists (protobuf's MergeFrom), which serialises exactly as the deep clone does.
        GraphProto graph;
        if (shareMessages)
        {
            graph = new GraphProto();
            graph.MergeFrom(subgraph);
        }
        else
        {
            graph = subgraph.Clone();
        }

        var position = 0;
        foreach (var name in OuterReads(subgraph))
        {
            var type = outerTypes.TryGetValue(name, out var elementType) ? elementType : throw new ArgumentException($"no element type for outer value '{name}'", nameof(outerTypes));
            graph.Input.Insert(position++, new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } },
            });
        }

        var standalone = new ModelProto { IrVersion = Math.Max(proto.IrVersion, 4), Graph = graph };
        standalone.OpsetImport.Add(proto.OpsetImport.Select(o => o.Clone()));
        return standalone;
    }

    // Branch checks ask several questions of the same bytes (outer values and a standalone model per branch): each
    // array is parsed once and the parse is shared, read-only, for as long as the array lives. Model bytes are never
    // changed in place in this library.
    private static readonly ConditionalWeakTable<byte[], ModelProto> Parsed = [];

    /// <summary>Keeps <paramref name="proto"/>, a parse of <paramref name="model"/> made elsewhere, for the questions above (until <see cref="Forget"/>).</summary>
    internal static void Remember(byte[] model, ModelProto proto) => Parsed.AddOrUpdate(model, proto);

    private static ModelProto Parse(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            return Parsed.GetValue(model, ModelProto.Parser.ParseFrom);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new OnnxFormatException($"not a readable ONNX file ({ex.Message})", ex);
        }
    }

    private static GraphProto? FindSubgraph(ModelProto proto, string nodeName, string attribute) =>
        proto.Graph?.Node.FirstOrDefault(n => n.Name == nodeName)?.Attribute.FirstOrDefault(a => a.Name == attribute)?.G;

    private static List<string> OuterReads(GraphProto graph)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        var reads = new List<string>();
        Collect(graph, defined, reads);
        return [.. reads.Where(r => !defined.Contains(r)).Distinct(StringComparer.Ordinal)];
    }

    private static void Collect(GraphProto graph, HashSet<string> defined, List<string> reads)
    {
        defined.UnionWith(graph.Input.Select(i => i.Name));
        defined.UnionWith(graph.Initializer.Select(i => i.Name));
        foreach (var node in graph.Node)
        {
            reads.AddRange(node.Input.Where(i => i.Length > 0));
            defined.UnionWith(node.Output.Where(o => o.Length > 0));
            foreach (var attribute in node.Attribute)
            {
                foreach (var nested in attribute.Graphs.Append(attribute.G).OfType<GraphProto>())
                {
                    Collect(nested, defined, reads);
                }
            }
        }

        reads.AddRange(graph.Output.Select(o => o.Name));
    }
}
