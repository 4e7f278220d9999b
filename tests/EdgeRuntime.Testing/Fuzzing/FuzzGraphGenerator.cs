using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using IrAttribute = EdgeRuntime.Graph.Ir.Attribute;
using IrGraph = EdgeRuntime.Graph.Ir.Graph;

namespace EdgeRuntime.Testing.Fuzzing;

/// <summary>
/// Generates small valid ONNX models from a grammar of the operators EdgeRuntime's passes touch (the approach of
/// NNSmith: grow a graph one operator at a time from a pool of values whose types and shapes are tracked, so every
/// operator's constraints hold by construction). Productions: element-wise operators with broadcasting, MatMul and
/// Gemm (with bias: the Gemm fusion's pattern), Conv with BatchNormalization or per-channel scale and bias,
/// Reshape, Transpose (and inverse pairs around activations), Squeeze with and without axes, Unsqueeze, Slice with
/// positive and negative steps and out-of-range bounds, Concat, Gather, shape arithmetic (Shape, Size, Gather, Slice,
/// integer Add/Sub/Mul/Div/Mod with negative and large values), If on integer thresholds and Loop, random operators
/// and Dropout in both modes, duplicated subexpressions, decomposed LayerNormalization and GELU, activation and
/// weight-only quantisation, no-ops, constant subgraphs. Models have symbolic dimensions, several element types,
/// initializers a caller may override (IR 4+) or listed as inputs (IR 3), duplicate outputs, inputs and constants
/// as outputs, node names that collide with value names, and now and then a sequence input. Deterministic per seed.
/// </summary>
public sealed partial class FuzzGraphGenerator
{
    private static readonly string[] SymbolNames = ["N", "T"];

    private readonly Random _random;
    private readonly int _seed;
    private readonly IrGraph _graph;
    private readonly Model _model;
    private readonly List<Pooled> _pool = [];
    private readonly List<InputSpec> _inputs = [];
    private readonly List<string> _symbols = [];
    private readonly List<string> _features = [];
    private readonly Dictionary<Value, double> _quantised = [];
    private readonly List<Value> _outputs = [];
    private readonly List<string> _usedNames = [];
    private bool _expectRefusal;
    private int _counter;

    private FuzzGraphGenerator(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
        _graph = new IrGraph($"fuzz_{seed}");
        _model = new Model(_graph) { ProducerName = "edgeruntime-fuzz" };
    }

    /// <summary>The IR version (3 lists every initializer as an input; from 4 they may be overridable defaults).</summary>
    private long IrVersion => _model.IrVersion;

    /// <summary>The default-domain opset the model imports.</summary>
    private long Opset { get; set; }

    /// <summary>Builds the model for <paramref name="seed"/>.</summary>
    public static FuzzCase Generate(int seed) => new FuzzGraphGenerator(seed).Build();

    /// <summary>
    /// The model for <paramref name="seed"/> and the generator's own view of every main-graph value it built (element
    /// type, dimensions: a size, a symbol, "?" for a size only run time knows; null dimensions: rank unknown), for
    /// checking the generator against what ONNX Runtime computes.
    /// </summary>
    public static (FuzzCase Case, IReadOnlyList<(string Name, DataType Type, string[]? Dims)> Values) Trace(int seed)
    {
        var generator = new FuzzGraphGenerator(seed);
        var fuzzCase = generator.Build();
        var values = generator._pool.Where(p => p.Value.Owner == generator._graph)
            .Select(p => (p.Value.Name, p.Type, p.Dims?.Select(d => d.Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? (d.Symbol!.StartsWith('?') ? "?" : d.Symbol!)).ToArray()))
            .ToList();
        return (fuzzCase, values);
    }

    /// <summary>A dimension: a known size, or a symbol (an input's free dimension, or a fresh one for a size only run time knows).</summary>
    internal readonly record struct D(long? Size, string? Symbol)
    {
        public static D Known(long size) => new(size, null);

        public static D Sym(string symbol) => new(null, symbol);

        public override string ToString() => Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol!;
    }

    /// <summary>A value the next operators may read: its type, its dimensions (null: rank unknown), and what it depends on.</summary>
    internal sealed record Pooled(Value Value, DataType Type, D[]? Dims)
    {
        public bool Random { get; init; }

        public bool Constant { get; init; }

        public bool Quantised { get; init; }

        public int Rank => Dims?.Length ?? -1;

        public bool AllKnown => Dims is not null && Dims.All(d => d.Size is not null);
    }

    private enum InputKind
    {
        Data,
        Threshold,
        Flag,
        Sequence,
    }

    private sealed record InputSpec(Value Value, DataType Type, D[] Dims, InputKind Kind)
    {
        public List<long> Thresholds { get; } = [];
    }

    private FuzzCase Build()
    {
        if (_random.NextDouble() < 0.08)
        {
            _model.IrVersion = 3;
            Opset = 8;
            _features.Add("ir3");
        }
        else
        {
            _model.IrVersion = 8;
            Opset = Pick([11, 13, 13, 15, 17, 17]);
        }

        _model.OpsetImports.Add(new OpsetImport(string.Empty, Opset));
        _features.Add($"opset{Opset}");
        for (var i = 0; i < _random.Next(0, 3); i++)
        {
            _symbols.Add(SymbolNames[i]);
        }

        AddInputs();
        var steps = _random.Next(4, 15);
        for (var step = 0; step < steps; step++)
        {
            for (var attempt = 0; attempt < 8 && !Produce(); attempt++)
            {
            }
        }

        ChooseOutputs();
        CollideNames();
        if (IrVersion < 4)
        {
            foreach (var initializer in _graph.Initializers.Where(i => !i.IsGraphInput).ToList())
            {
                _graph.MarkOverridable(initializer);
            }
        }

        var bytes = OnnxModelWriter.ToBytes(_model);
        var random = new HashSet<string>(_graph.Outputs.Where(o => _pool.FirstOrDefault(p => p.Value == o)?.Random ?? RandomByProducer(o)).Select(o => o.Name), StringComparer.Ordinal);
        var quantised = _graph.Outputs.Where(_quantised.ContainsKey).GroupBy(o => o.Name).ToDictionary(g => g.Key, g => _quantised[g.First()], StringComparer.Ordinal);
        return new FuzzCase(_seed, bytes, Feeds(), quantised, random, _expectRefusal, _features.Distinct().ToList());
    }

    private bool RandomByProducer(Value value) => _pool.Any(p => p.Value == value && p.Random);

    private void AddInputs()
    {
        var count = _random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            var rank = _random.Next(1, 5);
            var dims = new D[rank];
            for (var axis = 0; axis < rank; axis++)
            {
                dims[axis] = _symbols.Count > 0 && _random.NextDouble() < 0.35 ? D.Sym(Pick(_symbols)) : D.Known(_random.Next(1, 5));
            }

            var type = _random.NextDouble() < 0.12 ? DataType.Double : DataType.Float;
            AddDataInput(type, dims);
        }

        if (_random.NextDouble() < 0.3)
        {
            // A 4-D image-like input with known channels, for the convolution productions.
            AddDataInput(DataType.Float, [_symbols.Count > 0 && _random.NextDouble() < 0.5 ? D.Sym(_symbols[0]) : D.Known(1), D.Known(_random.Next(1, 5)), D.Known(_random.Next(2, 6)), _symbols.Count > 1 && _random.NextDouble() < 0.5 ? D.Sym(_symbols[1]) : D.Known(_random.Next(2, 6))]);
        }

        if (_random.NextDouble() < 0.35)
        {
            var k = _graph.AddInput(Name("k"), new TensorType(DataType.Int64, TensorShape.Scalar));
            _inputs.Add(new InputSpec(k, DataType.Int64, [], InputKind.Threshold));
            _pool.Add(new Pooled(k, DataType.Int64, []));
        }

        if (_random.NextDouble() < 0.15)
        {
            var flag = _graph.AddInput(Name("flag"), new TensorType(DataType.Bool, TensorShape.Scalar));
            _inputs.Add(new InputSpec(flag, DataType.Bool, [], InputKind.Flag));
            _pool.Add(new Pooled(flag, DataType.Bool, []));
        }

        if (_random.NextDouble() < 0.03 && Opset >= 11)
        {
            // A sequence input: verification cannot feed it, so a correct optimiser refuses the model in one line.
            var sequenceType = new OpaqueValueType("SequenceType", SequenceOfFloat());
            var sequence = _graph.AddInput(Name("seq"), sequenceType);
            _inputs.Add(new InputSpec(sequence, DataType.Undefined, [], InputKind.Sequence));
            var at = Node("SequenceAt", [sequence, Const(Tensor.Scalar(0L))]);
            at.Output.Type = new TensorType(DataType.Float, null);
            _pool.Add(new Pooled(at.Output, DataType.Float, null));
            _expectRefusal = true;
            _features.Add("sequence-input");
        }
    }

    private void AddDataInput(DataType type, D[] dims)
    {
        var value = _graph.AddInput(Name("x"), new TensorType(type, Shape(dims)));
        _inputs.Add(new InputSpec(value, type, dims, InputKind.Data));
        _pool.Add(new Pooled(value, type, dims));
    }

    private static ReadOnlyMemory<byte> SequenceOfFloat()
    {
        // TypeProto { sequence_type { elem_type { tensor_type { elem_type: FLOAT } } } }, written by hand: field 4 (sequence_type) → field 1 (elem_type) → field 1 (tensor_type) → field 1 = 1.
        return new byte[] { 0x22, 0x06, 0x0A, 0x04, 0x0A, 0x02, 0x08, 0x01 };
    }

    private void ChooseOutputs()
    {
        // Prefer values nothing reads yet (the ends of chains), then anything.
        var candidates = _pool.Where(p => !p.Value.IsUsed && p.Value.Producer is not null).ToList();
        if (candidates.Count == 0)
        {
            candidates = [.. _pool.Where(p => p.Value.Producer is not null)];
        }

        if (candidates.Count == 0)
        {
            var input = _pool[0];
            candidates.Add(Unary(input, "Identity"));
        }

        foreach (var candidate in candidates.OrderBy(_ => _random.Next()).Take(_random.Next(1, 4)))
        {
            AddOutput(candidate);
        }

        if (_random.NextDouble() < 0.15 && _outputs.Count > 0)
        {
            // The same value listed twice: each slot keeps the value's name.
            _outputs.Add(_outputs[_random.Next(_outputs.Count)]);
            _features.Add("duplicate-output");
        }

        if (_random.NextDouble() < 0.06 && _inputs.FirstOrDefault(i => i.Kind == InputKind.Data) is { } data)
        {
            AddOutput(_pool.First(p => p.Value == data.Value));
            _features.Add("input-as-output");
        }

        foreach (var value in _outputs)
        {
            _graph.AddOutput(value);
        }
    }

    private void AddOutput(Pooled pooled)
    {
        var value = pooled.Value;
        if (value.Producer is not null || value.IsGraphInput)
        {
            value.Type = new TensorType(pooled.Type, pooled.Dims is null ? null : Shape(pooled.Dims));
        }

        _outputs.Add(value);
    }

    /// <summary>Gives some nodes the name of a value (an output, an input, another node's output) or of another node.</summary>
    private void CollideNames()
    {
        if (_random.NextDouble() > 0.3)
        {
            return;
        }

        // ONNX Runtime requires node names to be unique among nodes; a node named like a value is valid.
        _features.Add("colliding-names");
        var valueNames = _graph.Values.Select(v => v.Name).Concat(_graph.Outputs.Select(o => o.Name)).Distinct().OrderBy(_ => _random.Next()).ToList();
        var taken = _graph.SelfAndDescendants().SelectMany(g => g.Nodes).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in _graph.Nodes.Where(_ => _random.NextDouble() < 0.5).ToList())
        {
            if (valueNames.FirstOrDefault(n => !taken.Contains(n)) is not { } name)
            {
                break;
            }

            taken.Add(name);
            valueNames.Remove(name);
            RenameNode(node, name);
        }
    }

    private static void RenameNode(Graph.Ir.Node node, string name)
    {
        // Set the name directly (the IR's setter is internal): the file must carry exactly this name whatever the IR's
        // own naming rules are, since what is under test is how the importer treats it.
        typeof(Graph.Ir.Node).GetProperty(nameof(Graph.Ir.Node.Name))!.SetValue(node, name);
    }

    private string Name(string stem) => $"{stem}{_counter++}";

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private static TensorShape Shape(D[] dims) => new(dims.Select(d => d.Size is { } size ? Dim.Known(size) : d.Symbol!.StartsWith('?') ? Dim.Unknown : Dim.Symbolic(d.Symbol)));

    private Node Node(string op, IEnumerable<Value?> inputs, IEnumerable<IrAttribute>? attributes = null, int outputs = 1, string domain = "")
    {
        var names = Enumerable.Range(0, outputs).Select(_ => (string?)Name("v")).ToList();
        return _graph.AddNode(op, inputs, names, domain, Name("n"), attributes);
    }

    private Value Const(Tensor tensor, bool allowOverridable = true)
    {
        var value = _graph.AddInitializer(Name("c"), tensor);
        if (allowOverridable && IrVersion >= 4 && _random.NextDouble() < 0.12 && tensor.ElementType is DataType.Float or DataType.Double)
        {
            _graph.MarkOverridable(value);
            _inputs.Add(new InputSpec(value, tensor.ElementType, [.. tensor.Dims.Select(D.Known)], InputKind.Data));
            _features.Add("overridable-initializer");
        }

        return value;
    }

    private Tensor RandomFloats(DataType type, long[] dims, double scale = 1)
    {
        var count = dims.Aggregate(1L, (a, b) => a * b);
        var values = Enumerable.Range(0, (int)count).Select(_ => ((_random.NextDouble() * 2) - 1) * scale).ToArray();
        return type == DataType.Double ? Tensor.From<double>(values, dims) : Tensor.From<float>([.. values.Select(v => (float)v)], dims);
    }
}
