using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;
using IrAttribute = EdgeRuntime.Graph.Ir.Attribute;
using IrGraph = EdgeRuntime.Graph.Ir.Graph;

namespace EdgeRuntime.Graph.Onnx.Export;

/// <summary>IR to ModelProto, in execution order, with the preserved fields merged back.</summary>
internal static class ModelExporter
{
    public static ModelProto Export(Model model)
    {
        var proto = new ModelProto();
        if (!model.Preserved.IsEmpty)
        {
            proto.MergeFrom(model.Preserved.Span);
        }

        proto.IrVersion = model.IrVersion;
        proto.OpsetImport.AddRange(model.OpsetImports.Select(o => new OperatorSetIdProto { Domain = o.Domain, Version = o.Version }));
        SetIfNotEmpty(model.ProducerName, v => proto.ProducerName = v);
        SetIfNotEmpty(model.ProducerVersion, v => proto.ProducerVersion = v);
        SetIfNotEmpty(model.Domain, v => proto.Domain = v);
        SetIfNotEmpty(model.DocString, v => proto.DocString = v);
        if (model.ModelVersion != 0)
        {
            proto.ModelVersion = model.ModelVersion;
        }

        proto.MetadataProps.AddRange(model.Metadata.Select(p => new StringStringEntryProto { Key = p.Key, Value = p.Value }));
        proto.Graph = ExportGraph(model.Graph);
        return proto;
    }

    private static GraphProto ExportGraph(IrGraph graph)
    {
        var proto = new GraphProto();
        if (!graph.Preserved.IsEmpty)
        {
            proto.MergeFrom(graph.Preserved.Span);
        }

        proto.Name = graph.Name;
        foreach (var input in graph.Inputs)
        {
            proto.Input.Add(ValueInfo(input));
        }

        foreach (var initializer in graph.Initializers)
        {
            proto.Initializer.Add(TensorExporter.Export(initializer.Initializer!, initializer.Name));
        }

        foreach (var node in graph.TopologicalOrder())
        {
            proto.Node.Add(ExportNode(node));
        }

        foreach (var output in graph.Outputs)
        {
            proto.Output.Add(ValueInfo(output));
        }

        return proto;
    }

    private static NodeProto ExportNode(Node node)
    {
        var proto = new NodeProto();
        if (!node.Preserved.IsEmpty)
        {
            proto.MergeFrom(node.Preserved.Span);
        }

        proto.OpType = node.OpType;
        if (node.Domain.Length > 0)
        {
            proto.Domain = node.Domain;
        }

        if (node.Name.Length > 0)
        {
            proto.Name = node.Name;
        }

        proto.Input.AddRange(node.Inputs.Select(i => i?.Name ?? string.Empty));
        proto.Output.AddRange(node.Outputs.Select(o => o?.Name ?? string.Empty));
        proto.Attribute.AddRange(node.Attributes.Select(ExportAttribute));
        return proto;
    }

    private static AttributeProto ExportAttribute(IrAttribute attribute)
    {
        var proto = new AttributeProto();
        if (!attribute.Preserved.IsEmpty)
        {
            proto.MergeFrom(attribute.Preserved.Span);
        }

        proto.Name = attribute.Name;
        if (attribute.ReferencedAttribute is { } reference)
        {
            proto.RefAttrName = reference;
        }

        switch (attribute.Kind)
        {
            case AttributeKind.Float:
                proto.Type = AttributeProto.Types.AttributeType.Float;
                proto.F = attribute.Float;
                break;
            case AttributeKind.Int:
                proto.Type = AttributeProto.Types.AttributeType.Int;
                proto.I = attribute.Int;
                break;
            case AttributeKind.String:
                proto.Type = AttributeProto.Types.AttributeType.String;
                proto.S = ByteString.CopyFrom(attribute.Bytes.Span);
                break;
            case AttributeKind.Tensor:
                proto.Type = AttributeProto.Types.AttributeType.Tensor;
                proto.T = TensorExporter.Export(attribute.Tensor, string.Empty);
                proto.T.ClearName();
                break;
            case AttributeKind.Graph:
                proto.Type = AttributeProto.Types.AttributeType.Graph;
                proto.G = ExportGraph(attribute.Graph);
                break;
            case AttributeKind.Floats:
                proto.Type = AttributeProto.Types.AttributeType.Floats;
                proto.Floats.AddRange(attribute.Floats);
                break;
            case AttributeKind.Ints:
                proto.Type = AttributeProto.Types.AttributeType.Ints;
                proto.Ints.AddRange(attribute.Ints);
                break;
            case AttributeKind.Strings:
                proto.Type = AttributeProto.Types.AttributeType.Strings;
                proto.Strings.AddRange(attribute.Strings.Select(s => ByteString.CopyFrom(s.Span)));
                break;
            case AttributeKind.Tensors:
                proto.Type = AttributeProto.Types.AttributeType.Tensors;
                proto.Tensors.AddRange(attribute.Tensors.Select(t => TensorExporter.Export(t, string.Empty)));
                break;
            case AttributeKind.Graphs:
                proto.Type = AttributeProto.Types.AttributeType.Graphs;
                proto.Graphs.AddRange(attribute.Graphs.Select(ExportGraph));
                break;
            case AttributeKind.Opaque:
                proto.MergeFrom(attribute.OpaqueValue.Span);
                break;
        }

        return proto;
    }

    private static ValueInfoProto ValueInfo(Value value)
    {
        var info = new ValueInfoProto { Name = value.Name };
        if (TypeExporter.Export(value.Type) is { } type)
        {
            info.Type = type;
        }

        return info;
    }

    private static void SetIfNotEmpty(string value, Action<string> set)
    {
        if (value.Length > 0)
        {
            set(value);
        }
    }
}
