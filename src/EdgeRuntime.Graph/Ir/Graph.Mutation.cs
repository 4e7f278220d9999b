namespace EdgeRuntime.Graph.Ir;

public sealed partial class Graph
{
    /// <summary>
    /// Makes every reader of <paramref name="old"/> read <paramref name="replacement"/> instead, in this graph
    /// and its subgraphs (subgraph outputs that return it included). If <paramref name="old"/> is an output of its
    /// graph, every slot that lists it keeps its name (the name is the model's interface, and one value may be
    /// listed more than once): the replacement takes the name over, or one Identity node carries it.
    /// </summary>
    public void ReplaceAllUses(Value old, Value replacement)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(replacement);
        if (old == replacement)
        {
            return;
        }

        foreach (var use in old.Uses.ToList())
        {
            use.Node.SetInput(use.InputIndex, replacement);
        }

        // A nested subgraph (an If branch) may return an outer value directly; its output slots are positional.
        foreach (var nested in old.Owner.SelfAndDescendants().Skip(1))
        {
            for (var i = 0; i < nested._outputs.Count; i++)
            {
                if (nested._outputs[i] == old)
                {
                    nested.SetOutputAt(i, replacement);
                }
            }
        }

        if (old.Owner._outputs.Contains(old))
        {
            old.Owner.ReplaceOutput(old, replacement);
        }
    }

    /// <summary>Removes a node whose outputs nobody reads.</summary>
    /// <exception cref="InvalidOperationException">An output is still used.</exception>
    public void RemoveNode(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Owner != this)
        {
            throw new InvalidOperationException($"{node} is not in graph '{Name}'");
        }

        var used = node.Outputs.FirstOrDefault(o => o is { IsUsed: true });
        if (used is not null)
        {
            throw new InvalidOperationException($"cannot remove {node}: its output '{used.Name}' is still used");
        }

        DetachRecursively(node);
        foreach (var output in node.Outputs)
        {
            if (output is not null)
            {
                _values.Remove(output.Name);
                _names.Release(output.Name);
                output.Producer = null;
            }
        }

        _nodes.Remove(node);
        _nodeNames.Release(node.Name);
    }

    /// <summary>Removes an unused initializer or graph input.</summary>
    public void RemoveValue(Value value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Owner != this || value.Producer is not null)
        {
            throw new InvalidOperationException($"'{value.Name}' is not an input or initializer of graph '{Name}'");
        }

        if (value.IsUsed)
        {
            throw new InvalidOperationException($"cannot remove '{value.Name}': it is still used");
        }

        _initializers.Remove(value);
        _inputs.Remove(value);
        _values.Remove(value.Name);
        _names.Release(value.Name);
    }

    /// <summary>Stops listing an initializer as a graph input: it becomes a constant the optimiser may fold.</summary>
    public void MakeConstant(Value initializer)
    {
        if (initializer.Owner != this || initializer.Initializer is null)
        {
            throw new InvalidOperationException($"'{initializer.Name}' is not an initializer of graph '{Name}'");
        }

        initializer.IsGraphInput = false;
        _inputs.Remove(initializer);
    }

    /// <summary>Removes a graph output (the first slot listing it; the value stays).</summary>
    public void RemoveOutput(Value value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_outputs.Remove(value))
        {
            value.RemoveOutputSlot();
        }
    }

    /// <summary>Replaces an initializer's data (same value, new content).</summary>
    public void SetInitializer(Value value, Tensor tensor)
    {
        if (value.Owner != this || value.Initializer is null)
        {
            throw new InvalidOperationException($"'{value.Name}' is not an initializer of graph '{Name}'");
        }

        value.Initializer = tensor;
        value.Type = new TensorType(tensor.ElementType, tensor.Shape);
    }

    /// <summary>Renames a value; false when the name is taken.</summary>
    public bool TryRename(Value value, string name)
    {
        if (value.Owner != this || !_names.Rename(value.Name, name))
        {
            return false;
        }

        _values.Remove(value.Name);
        value.Name = name;
        _values.Add(name, value);
        return true;
    }

    /// <summary>Points every output slot listing <paramref name="old"/> at a value carrying its name.</summary>
    private void ReplaceOutput(Value old, Value replacement)
    {
        var name = old.Name;
        MoveToFreshName(old);
        var canTakeName = replacement.Owner == this && replacement.Producer is not null && !replacement.IsGraphOutput && !replacement.IsGraphInput;
        Value carrier;
        if (canTakeName && TryRename(replacement, name))
        {
            carrier = replacement;

            // The output's declared type is part of the interface too; keep what the replacement does not know.
            carrier.Type = Keep(carrier.Type, old.Type);
        }
        else
        {
            var identity = AddNode("Identity", [replacement], [name]);
            identity.Output.Type = Keep(replacement.Type, old.Type);
            carrier = identity.Output;
        }

        for (var i = 0; i < _outputs.Count; i++)
        {
            if (_outputs[i] == old)
            {
                SetOutputAt(i, carrier);
            }
        }
    }

    /// <summary><paramref name="type"/>, with the element type and shape of <paramref name="declared"/> where it has none.</summary>
    private static ValueType? Keep(ValueType? type, ValueType? declared) => (type, declared) switch
    {
        (null, _) => declared,
        (TensorType t, TensorType d) => new TensorType(t.ElementType == DataType.Undefined ? d.ElementType : t.ElementType, t.Shape ?? d.Shape),
        _ => type,
    };

    private void SetOutputAt(int index, Value value)
    {
        _outputs[index].RemoveOutputSlot();
        _outputs[index] = value;
        value.AddOutputSlot();
    }

    /// <summary>Gives <paramref name="value"/> a new unique name, freeing its current one.</summary>
    private void MoveToFreshName(Value value)
    {
        var fresh = _names.Reserve($"{value.Name}_replaced");
        _values.Remove(value.Name);
        _names.Release(value.Name);
        value.Name = fresh;
        _values.Add(fresh, value);
    }

    private static void DetachRecursively(Node node)
    {
        node.DetachInputs();
        foreach (var subgraph in node.Subgraphs)
        {
            foreach (var output in subgraph._outputs)
            {
                output.RemoveOutputSlot();
            }

            foreach (var inner in subgraph._nodes)
            {
                DetachRecursively(inner);
            }
        }
    }
}
