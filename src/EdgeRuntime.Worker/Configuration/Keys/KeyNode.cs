namespace EdgeRuntime.Worker.Configuration.Keys;

/// <summary>
/// One level of the configuration keys the daemon reads: named children (an options class's properties), any
/// numeric index (a list's elements), any name (a dictionary, or a free-form section such as <c>Logging</c>), or a
/// value and nothing below it.
/// </summary>
internal sealed class KeyNode
{
    /// <summary>Named children, case-insensitive as configuration keys are.</summary>
    public Dictionary<string, KeyNode> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The schema of every element when this is a list (keys 0, 1, …).</summary>
    public KeyNode? Element { get; set; }

    /// <summary>The schema of every entry when this is a dictionary (any key).</summary>
    public KeyNode? AnyKey { get; set; }

    /// <summary>Anything below is accepted unchecked (sections whose keys are open-ended, such as <c>Logging</c>).</summary>
    public bool FreeForm { get; set; }

    /// <summary>For a value, the type the configuration binder converts it to, as declared (int? stays int?); null otherwise.</summary>
    public Type? ValueType { get; set; }

    /// <summary>A value: nothing may sit below it.</summary>
    public bool IsValue => Children.Count == 0 && Element is null && AnyKey is null && !FreeForm;

    /// <summary>Adds <paramref name="other"/>'s keys to this node (two options types bound to one section).</summary>
    public void Merge(KeyNode other)
    {
        FreeForm |= other.FreeForm;
        ValueType ??= other.ValueType;
        if (other.Element is not null)
        {
            Element ??= new KeyNode();
            Element.Merge(other.Element);
        }

        if (other.AnyKey is not null)
        {
            AnyKey ??= new KeyNode();
            AnyKey.Merge(other.AnyKey);
        }

        foreach (var (name, child) in other.Children)
        {
            if (!Children.TryGetValue(name, out var mine))
            {
                mine = new KeyNode();
                Children[name] = mine;
            }

            mine.Merge(child);
        }
    }

    /// <summary>The node at <paramref name="path"/> (created), for registering a section.</summary>
    public KeyNode At(string path)
    {
        var node = this;
        foreach (var segment in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!node.Children.TryGetValue(segment, out var child))
            {
                child = new KeyNode();
                node.Children[segment] = child;
            }

            node = child;
        }

        return node;
    }
}
