namespace EdgeRuntime.Graph.Ir;

/// <summary>The graph's dependencies form a cycle; the message names nodes on it.</summary>
public sealed class GraphCycleException(string message) : Exception(message);

public sealed partial class Graph
{
    /// <summary>
    /// The nodes in an order where every value is produced before it is read, counting reads from inside a
    /// node's subgraphs as reads by that node. Stable: nodes keep their relative insertion order where free.
    /// </summary>
    /// <exception cref="GraphCycleException">The graph has a cycle.</exception>
    public IReadOnlyList<Node> TopologicalOrder()
    {
        var position = new Dictionary<Node, int>();
        for (var i = 0; i < _nodes.Count; i++)
        {
            position[_nodes[i]] = i;
        }

        var pending = new Dictionary<Node, int>();
        var dependents = new Dictionary<Node, List<Node>>();
        foreach (var node in _nodes)
        {
            var producers = ProducersInThisGraph(node);
            pending[node] = producers.Count;
            foreach (var producer in producers)
            {
                if (!dependents.TryGetValue(producer, out var list))
                {
                    dependents[producer] = list = [];
                }

                list.Add(node);
            }
        }

        var ready = new PriorityQueue<Node, int>();
        foreach (var node in _nodes.Where(n => pending[n] == 0))
        {
            ready.Enqueue(node, position[node]);
        }

        var order = new List<Node>(_nodes.Count);
        while (ready.TryDequeue(out var node, out _))
        {
            order.Add(node);
            foreach (var dependent in dependents.GetValueOrDefault(node) ?? [])
            {
                if (--pending[dependent] == 0)
                {
                    ready.Enqueue(dependent, position[dependent]);
                }
            }
        }

        if (order.Count != _nodes.Count)
        {
            var stuck = _nodes.Where(n => pending[n] > 0).Take(5).Select(n => $"'{n.Name}' ({n.OpType})");
            throw new GraphCycleException($"graph '{Name}' has a cycle through {string.Join(", ", stuck)}");
        }

        return order;
    }

    /// <summary>Reorders <see cref="Nodes"/> into <see cref="TopologicalOrder"/>.</summary>
    public void SortTopologically()
    {
        var order = TopologicalOrder();
        _nodes.Clear();
        _nodes.AddRange(order);
    }

    /// <summary>The distinct nodes of this graph whose outputs <paramref name="node"/> reads, directly or from its subgraphs.</summary>
    private HashSet<Node> ProducersInThisGraph(Node node)
    {
        var producers = new HashSet<Node>();
        foreach (var value in ValuesRead(node))
        {
            if (value.Producer is { } producer && producer.Owner == this && producer != node)
            {
                producers.Add(producer);
            }
        }

        return producers;
    }

    /// <summary>Values a node reads: its inputs and every outer value its subgraphs read.</summary>
    public static IEnumerable<Value> ValuesRead(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        foreach (var input in node.Inputs)
        {
            if (input is not null)
            {
                yield return input;
            }
        }

        foreach (var subgraph in node.Subgraphs)
        {
            foreach (var inner in subgraph.SelfAndDescendants().SelectMany(g => g._nodes))
            {
                foreach (var input in inner.Inputs)
                {
                    if (input is not null && !IsInside(input.Owner, subgraph))
                    {
                        yield return input;
                    }
                }
            }

            foreach (var output in subgraph._outputs.Where(o => !IsInside(o.Owner, subgraph)))
            {
                yield return output;
            }
        }
    }

    private static bool IsInside(Graph graph, Graph ancestor)
    {
        for (var current = graph; current is not null; current = current.Parent)
        {
            if (current == ancestor)
            {
                return true;
            }
        }

        return false;
    }
}
