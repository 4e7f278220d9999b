using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff;

/// <summary>
/// A deep copy of a model (subgraphs included) with every name kept, in which chosen initializers of the main
/// graph become plain graph inputs: the forward half of a training model. Tensors are immutable and shared.
/// </summary>
internal static class ForwardGraphCopy
{
    /// <summary>Copies <paramref name="source"/>; initializers named in <paramref name="asInputs"/> become inputs of the same name and type.</summary>
    public static Model Copy(Model source, IReadOnlySet<string> asInputs)
    {
        var graph = new Ir.Graph(source.Graph.Name);
        var copy = new Model(graph)
        {
            IrVersion = source.IrVersion,
            ProducerName = source.ProducerName,
            ProducerVersion = source.ProducerVersion,
            Domain = source.Domain,
            ModelVersion = source.ModelVersion,
            DocString = source.DocString,
            Preserved = source.Preserved,
        };
        copy.OpsetImports.AddRange(source.OpsetImports);
        copy.Metadata.AddRange(source.Metadata);
        CopyGraph(source.Graph, graph, new Dictionary<Value, Value>(), asInputs);
        return copy;
    }

    private static void CopyGraph(Ir.Graph from, Ir.Graph to, Dictionary<Value, Value> map, IReadOnlySet<string> asInputs)
    {
        to.Preserved = from.Preserved;
        var promoted = new List<Value>();
        foreach (var input in from.Inputs)
        {
            if (input.Initializer is { } overridable)
            {
                if (from.Parent is null && asInputs.Contains(input.Name))
                {
                    promoted.Add(input);
                    continue;
                }

                map[input] = to.AddInitializer(input.Name, overridable, overridable: true);
            }
            else
            {
                map[input] = to.AddInput(input.Name, input.Type);
            }
        }

        foreach (var initializer in from.Initializers.Where(i => !i.IsGraphInput))
        {
            if (from.Parent is null && asInputs.Contains(initializer.Name))
            {
                promoted.Add(initializer);
                continue;
            }

            map[initializer] = to.AddInitializer(initializer.Name, initializer.Initializer!);
        }

        // Parameters go after the data inputs, in initializer order, so a trainer's feeds read naturally.
        foreach (var parameter in from.Initializers.Where(promoted.Contains))
        {
            map[parameter] = to.AddInput(parameter.Name, new TensorType(parameter.Initializer!.ElementType, parameter.Initializer.Shape));
        }

        foreach (var node in from.TopologicalOrder())
        {
            var attributes = node.Attributes.Select(a => CopyAttribute(a, to, map, asInputs)).ToList();
            var copy = to.AddNode(node.OpType, node.Inputs.Select(i => i is null ? null : map[i]), node.Outputs.Select(o => o?.Name), node.Domain, node.Name, attributes);
            copy.Preserved = node.Preserved;
            for (var i = 0; i < node.Outputs.Count; i++)
            {
                if (node.Outputs[i] is { } output)
                {
                    var value = copy.Outputs[i]!;
                    value.Type = output.Type;
                    map[output] = value;
                }
            }
        }

        foreach (var output in from.Outputs)
        {
            to.AddOutput(map[output]);
        }
    }

    private static Ir.Attribute CopyAttribute(Ir.Attribute attribute, Ir.Graph owner, Dictionary<Value, Value> map, IReadOnlySet<string> asInputs)
    {
        Ir.Attribute copy;
        switch (attribute.Kind)
        {
            case AttributeKind.Graph:
                copy = Ir.Attribute.FromGraph(attribute.Name, CopySubgraph(attribute.Graph, owner, map, asInputs));
                break;
            case AttributeKind.Graphs:
                copy = Ir.Attribute.FromGraphs(attribute.Name, attribute.Graphs.Select(g => CopySubgraph(g, owner, map, asInputs)).ToList());
                break;
            default:
                return attribute;
        }

        return copy.With(attribute.Preserved, attribute.ReferencedAttribute);
    }

    private static Ir.Graph CopySubgraph(Ir.Graph subgraph, Ir.Graph owner, Dictionary<Value, Value> map, IReadOnlySet<string> asInputs)
    {
        var copy = owner.CreateSubgraph(subgraph.Name);
        CopyGraph(subgraph, copy, map, asInputs);
        return copy;
    }
}
