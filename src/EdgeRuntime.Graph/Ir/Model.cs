namespace EdgeRuntime.Graph.Ir;

/// <summary>An operator set the model uses: a domain ("" for ai.onnx) and its version.</summary>
public sealed record OpsetImport(string Domain, long Version);

/// <summary>A model: its main graph and the facts about it that travel with the file.</summary>
public sealed class Model
{
    /// <summary>Wraps a graph into a model.</summary>
    public Model(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Graph = graph;
    }

    /// <summary>The main graph.</summary>
    public Graph Graph { get; }

    /// <summary>The file format's IR version.</summary>
    public long IrVersion { get; set; } = 8;

    /// <summary>Operator sets in use.</summary>
    public List<OpsetImport> OpsetImports { get; } = [];

    public string ProducerName { get; set; } = string.Empty;

    public string ProducerVersion { get; set; } = string.Empty;

    public string Domain { get; set; } = string.Empty;

    public long ModelVersion { get; set; }

    public string DocString { get; set; } = string.Empty;

    /// <summary>Key/value metadata in file order (keys may repeat in the wild; the list keeps them all).</summary>
    public List<KeyValuePair<string, string>> Metadata { get; } = [];

    /// <summary>Fields of the source format the IR does not model (functions, training info, unknown fields).</summary>
    public ReadOnlyMemory<byte> Preserved { get; set; }

    /// <summary>The version of <paramref name="domain"/> the model imports, or null.</summary>
    public long? OpsetVersion(string domain = "")
    {
        var normalised = domain == "ai.onnx" ? string.Empty : domain;
        return OpsetImports.FirstOrDefault(o => (o.Domain == "ai.onnx" ? string.Empty : o.Domain) == normalised)?.Version;
    }

    /// <summary>Adds an operator set import if the model has none for that domain.</summary>
    public void EnsureOpset(string domain, long version)
    {
        if (OpsetVersion(domain) is null)
        {
            OpsetImports.Add(new OpsetImport(domain, version));
        }
    }

    /// <summary>Node counts over the main graph and all subgraphs.</summary>
    public int CountNodes() => Graph.SelfAndDescendants().Sum(g => g.Nodes.Count);
}
