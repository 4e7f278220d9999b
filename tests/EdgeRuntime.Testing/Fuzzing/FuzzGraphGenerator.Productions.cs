using EdgeRuntime.Graph.Ir;
using IrAttribute = EdgeRuntime.Graph.Ir.Attribute;

namespace EdgeRuntime.Testing.Fuzzing;

public sealed partial class FuzzGraphGenerator
{
    private static readonly string[] FloatUnary = ["Relu", "Neg", "Abs", "Sigmoid", "Tanh", "Identity"];
    private static readonly string[] FloatBinary = ["Add", "Sub", "Mul", "Div", "Max", "Min"];
    private static readonly long[] InterestingBounds = [0, 1, 2, -1, -2, -100, 100, long.MinValue, long.MaxValue];

    private (string Name, int Weight, Func<bool> Run)[]? _productions;

    /// <summary>Whether negative axes and indices are defined (opset 11 on; Unsqueeze-1 and friends took only non-negative ones).</summary>
    private bool Negatives => Opset >= 11;

    private bool Produce()
    {
        _productions ??=
        [
            ("unary", 10, ProduceUnary),
            ("binary", 12, ProduceBinary),
            ("no-op", 3, ProduceNoOp),
            ("cse", 3, ProduceCommonSubexpression),
            ("matmul", 6, ProduceMatMul),
            ("conv", 6, ProduceConv),
            ("reshape", 5, ProduceReshape),
            ("transpose", 5, ProduceTranspose),
            ("squeeze", 4, ProduceSqueeze),
            ("unsqueeze", 3, ProduceUnsqueeze),
            ("slice", 5, ProduceSlice),
            ("concat", 3, ProduceConcat),
            ("gather", 3, ProduceGather),
            ("shape-arithmetic", 8, ProduceShapeArithmetic),
            ("if", 5, ProduceIf),
            ("loop", 2, ProduceLoop),
            ("random", 4, ProduceRandom),
            ("qdq", 3, ProduceQuantised),
            ("layernorm", 2, ProduceLayerNorm),
            ("gelu", 2, ProduceGelu),
            ("constant-folding", 3, ProduceConstantExpression),
            ("expand", 2, ProduceExpand),
            ("cast", 3, ProduceCast),
            ("compare-where", 3, ProduceCompareWhere),
        ];
        var total = _productions.Sum(p => p.Weight);
        var roll = _random.Next(total);
        foreach (var (name, weight, run) in _productions)
        {
            roll -= weight;
            if (roll < 0)
            {
                var produced = run();
                if (produced)
                {
                    _features.Add(name);
                }

                return produced;
            }
        }

        return false;
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private Pooled? PickValue(Func<Pooled, bool> filter)
    {
        var candidates = _pool.Where(filter).ToList();
        return candidates.Count == 0 ? null : candidates[_random.Next(candidates.Count)];
    }

    private static bool IsFloat(Pooled p) => p.Type is DataType.Float or DataType.Double;

    private static bool IsInt(Pooled p) => p.Type is DataType.Int64 or DataType.Int32;

    private Pooled Result(Value value, DataType type, D[]? dims, params Pooled[] from)
    {
        var pooled = new Pooled(value, type, dims) { Random = from.Any(f => f.Random), Quantised = from.Any(f => f.Quantised) };
        _pool.Add(pooled);
        return pooled;
    }

    private D Fresh() => D.Sym($"?{_counter++}");

    private static bool SameDim(D a, D b) => a.Size is { } x ? b.Size == x : a.Symbol == b.Symbol && a.Symbol is not null && !a.Symbol.StartsWith('?');

    private static D[]? Broadcast(D[] a, D[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new D[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i < rank - a.Length ? D.Known(1) : a[i - (rank - a.Length)];
            var y = i < rank - b.Length ? D.Known(1) : b[i - (rank - b.Length)];
            if (SameDim(x, y))
            {
                result[i] = x;
            }
            else if (x.Size == 1)
            {
                result[i] = y;
            }
            else if (y.Size == 1)
            {
                result[i] = x;
            }
            else
            {
                return null;
            }
        }

        return result;
    }

    /// <summary>A constant shape that broadcasts against <paramref name="dims"/> without widening it.</summary>
    private long[] BroadcastableShape(D[] dims)
    {
        var rank = _random.Next(0, dims.Length + 1);
        return [.. dims.Skip(dims.Length - rank).Select(d => d.Size is { } size && _random.NextDouble() < 0.6 ? size : 1L)];
    }

    private Value Ints(params long[] values) => Const(Tensor.Vector(values), allowOverridable: false);

    private Pooled Unary(Pooled x, string op)
    {
        var node = Node(op, [x.Value]);
        return Result(node.Output, x.Type, x.Dims, x);
    }

    private Tensor FloatConstant(DataType type, long[] dims, double low, double high)
    {
        var count = dims.Aggregate(1L, (a, b) => a * b);
        var values = Enumerable.Range(0, (int)count).Select(_ => low + (_random.NextDouble() * (high - low))).ToArray();
        return type == DataType.Double ? Tensor.From<double>(values, dims) : Tensor.From<float>([.. values.Select(v => (float)v)], dims);
    }

    private Tensor Scalar(DataType type, double value) => type == DataType.Double ? Tensor.Scalar(value) : Tensor.Scalar((float)value);

    private static long[] KnownDims(D[] dims) => [.. dims.Select(d => d.Size!.Value)];

    // ---- element-wise ----------------------------------------------------------------------------------------

    private bool ProduceUnary()
    {
        if (PickValue(p => IsFloat(p) || (IsInt(p) && Opset >= 13)) is not { } x)
        {
            return false;
        }

        var op = IsFloat(x) ? Pick(FloatUnary) : Pick(["Neg", "Abs", "Identity"]);
        Unary(x, op);
        return true;
    }

    private bool ProduceBinary()
    {
        if (PickValue(p => (IsFloat(p) || IsInt(p)) && p.Dims is not null) is not { } a)
        {
            return false;
        }

        if (IsInt(a))
        {
            var op = Pick<string>(Opset >= 10 ? ["Add", "Sub", "Mul", "Div", "Mod"] : ["Add", "Sub", "Mul", "Div"]);
            var divisor = op is "Div" or "Mod";
            var value = divisor ? Pick([-7L, -3, -2, 2, 3, 5, 1L << 33]) : Pick([-5L, -1, 0, 1, 3, 1L << 40]);
            var constant = a.Type == DataType.Int64 ? Tensor.Scalar(value) : Tensor.Scalar((int)Math.Clamp(value, -1000, 1000));
            var c = Const(constant, allowOverridable: false);
            var swap = !divisor && _random.NextDouble() < 0.5;
            var attributes = op == "Mod" && _random.NextDouble() < 0.4 ? [IrAttribute.FromInt("fmod", 1)] : (IrAttribute[])[];
            var node = Node(op, swap ? [c, a.Value] : [a.Value, c], attributes);
            Result(node.Output, a.Type, a.Dims, a);
            return true;
        }

        var op2 = Pick(FloatBinary);
        Pooled? b = op2 != "Div" && _random.NextDouble() < 0.5 ? PickValue(p => p.Type == a.Type && p.Dims is not null && p != a && Broadcast(a.Dims!, p.Dims) is not null) : null;
        if (b is null)
        {
            var shape = BroadcastableShape(a.Dims!);
            var tensor = op2 == "Div" ? FloatConstant(a.Type, shape, 0.5, 2) : RandomFloats(a.Type, shape);
            var constant = Const(tensor);
            var swap = op2 != "Div" && _random.NextDouble() < 0.4;
            var node = Node(op2, swap ? [constant, a.Value] : [a.Value, constant]);
            Result(node.Output, a.Type, Broadcast(a.Dims!, [.. shape.Select(D.Known)]), a);
            return true;
        }

        var both = Node(op2, [a.Value, b.Value]);
        Result(both.Output, a.Type, Broadcast(a.Dims!, b.Dims!), a, b);
        return true;
    }

    private bool ProduceNoOp()
    {
        if (PickValue(p => IsFloat(p) && p.Dims is not null) is not { } x)
        {
            return false;
        }

        switch (_random.Next(5))
        {
            case 0:
                Result(Node("Add", [x.Value, Const(Scalar(x.Type, 0), allowOverridable: false)]).Output, x.Type, x.Dims, x);
                break;
            case 1:
                Result(Node("Mul", [x.Value, Const(Scalar(x.Type, 1), allowOverridable: false)]).Output, x.Type, x.Dims, x);
                break;
            case 2:
                Result(Node("Cast", [x.Value], [IrAttribute.FromInt("to", (long)x.Type)]).Output, x.Type, x.Dims, x);
                break;
            case 3 when x.Rank >= 1:
                Result(Node("Transpose", [x.Value], [IrAttribute.FromInts("perm", Enumerable.Range(0, x.Rank).Select(i => (long)i))]).Output, x.Type, x.Dims, x);
                break;
            default:
                Unary(Unary(x, "Identity"), "Identity");
                break;
        }

        return true;
    }

    private bool ProduceCommonSubexpression()
    {
        if (PickValue(p => IsFloat(p) && p.Dims is not null) is not { } x)
        {
            return false;
        }

        var op = Pick(["Sigmoid", "Relu", "Neg"]);
        var first = Unary(x, op);
        var second = Unary(x, op);
        Result(Node("Add", [first.Value, second.Value]).Output, x.Type, x.Dims, first, second);
        return true;
    }

    private bool ProduceCompareWhere()
    {
        if (Opset < 9 || PickValue(p => IsFloat(p) && p.Dims is not null) is not { } x)
        {
            return false;
        }

        var compare = Node(Pick(["Greater", "Less"]), [x.Value, Const(Scalar(x.Type, (_random.NextDouble() - 0.5) * 0.5), allowOverridable: false)]);
        var condition = new Pooled(compare.Output, DataType.Bool, x.Dims) { Random = x.Random, Quantised = x.Quantised };
        if (_random.NextDouble() < 0.3)
        {
            condition = new Pooled(Node("Not", [condition.Value]).Output, DataType.Bool, x.Dims) { Random = x.Random, Quantised = x.Quantised };
        }

        var negated = Unary(x, "Neg");
        Result(Node("Where", [condition.Value, x.Value, negated.Value]).Output, x.Type, x.Dims, x);
        return true;
    }

    private bool ProduceCast()
    {
        if (PickValue(p => (IsFloat(p) || IsInt(p) || p.Type == DataType.Bool) && p.Dims is not null) is not { } x)
        {
            return false;
        }

        var to = x.Type switch
        {
            DataType.Float => DataType.Double,
            DataType.Double => DataType.Float,
            DataType.Int64 => Pick([DataType.Int32, DataType.Float]),
            DataType.Int32 => DataType.Int64,
            _ => Pick([DataType.Float, DataType.Int64]),
        };
        Result(Node("Cast", [x.Value], [IrAttribute.FromInt("to", (long)to)]).Output, to, x.Dims, x);
        return true;
    }

    // ---- linear algebra ----------------------------------------------------------------------------------------

    private bool ProduceMatMul()
    {
        if (PickValue(p => IsFloat(p) && p.Rank >= 2 && p.Dims![^1].Size is > 0) is not { } a)
        {
            return false;
        }

        var k = a.Dims![^1].Size!.Value;
        var n = _random.Next(1, 6);
        if (a.Rank == 2 && _random.NextDouble() < 0.35)
        {
            var transB = _random.NextDouble() < 0.5;
            var weight = Const(RandomFloats(a.Type, transB ? [n, k] : [k, n]));
            var bias = Const(RandomFloats(a.Type, _random.NextDouble() < 0.5 ? [n] : [1, n]));
            var gemm = Node("Gemm", [a.Value, weight, bias], [IrAttribute.FromInt("transB", transB ? 1 : 0), IrAttribute.FromFloat("alpha", Pick([1f, 0.5f])), IrAttribute.FromFloat("beta", Pick([1f, 2f]))]);
            Result(gemm.Output, a.Type, [a.Dims[0], D.Known(n)], a);
            return true;
        }

        var matmul = Node("MatMul", [a.Value, Const(RandomFloats(a.Type, [k, n]))]);
        var dims = a.Dims[..^1].Append(D.Known(n)).ToArray();
        var result = Result(matmul.Output, a.Type, dims, a);
        if (_random.NextDouble() < 0.5)
        {
            Result(Node("Add", [result.Value, Const(RandomFloats(a.Type, [n]))]).Output, a.Type, dims, result);
        }

        return true;
    }

    private bool ProduceConv()
    {
        if (PickValue(p => p.Type == DataType.Float && p.Rank == 4 && p.Dims![1].Size is > 0) is not { } x)
        {
            return false;
        }

        var channels = x.Dims![1].Size!.Value;
        var outChannels = _random.Next(1, 5);
        var kernel = Pick([1L, 3L]);
        var inputs = new List<Value?> { x.Value, Const(RandomFloats(DataType.Float, [outChannels, channels, kernel, kernel], 0.5)) };
        if (_random.NextDouble() < 0.5)
        {
            inputs.Add(Const(RandomFloats(DataType.Float, [outChannels])));
        }

        var conv = Node("Conv", inputs, kernel == 3 ? [IrAttribute.FromInts("pads", [1, 1, 1, 1])] : []);
        var dims = new[] { x.Dims[0], D.Known(outChannels), x.Dims[2], x.Dims[3] };
        var result = Result(conv.Output, DataType.Float, dims, x);
        switch (_random.Next(3))
        {
            case 0:
                var scale = Const(RandomFloats(DataType.Float, [outChannels]));
                var shift = Const(RandomFloats(DataType.Float, [outChannels]));
                var mean = Const(RandomFloats(DataType.Float, [outChannels]));
                var variance = Const(FloatConstant(DataType.Float, [outChannels], 0.5, 2));
                Result(Node("BatchNormalization", [result.Value, scale, shift, mean, variance], [IrAttribute.FromFloat("epsilon", 1e-5f)]).Output, DataType.Float, dims, result);
                break;
            case 1:
                var perChannel = Const(RandomFloats(DataType.Float, _random.NextDouble() < 0.5 ? [1, outChannels, 1, 1] : [outChannels, 1, 1]));
                var scaled = Result(Node("Mul", [result.Value, perChannel]).Output, DataType.Float, dims, result);
                Result(Node("Add", [scaled.Value, Const(RandomFloats(DataType.Float, [outChannels, 1, 1]))]).Output, DataType.Float, dims, scaled);
                break;
        }

        return true;
    }

    // ---- shapes ---------------------------------------------------------------------------------------------------

    private bool ProduceReshape()
    {
        if (PickValue(p => p.Dims is { Length: >= 1 }) is not { } x)
        {
            return false;
        }

        long[] target;
        D[] dims;
        var known = x.AllKnown ? KnownDims(x.Dims!).Aggregate(1L, (a, b) => a * b) : (long?)null;
        var choice = _random.Next(4);
        if (choice == 0 && known is { } total && total > 0)
        {
            var divisors = Enumerable.Range(1, (int)Math.Min(total, 64)).Where(d => total % d == 0).Select(d => (long)d).ToList();
            var first = Pick(divisors);
            target = _random.NextDouble() < 0.5 ? [first, -1] : [first, total / first];
            dims = [D.Known(first), D.Known(total / first)];
        }
        else if (choice == 1 && x.Rank >= 2)
        {
            target = [0, -1];
            var rest = x.Dims!.Skip(1).ToArray();
            dims = [x.Dims![0], rest.All(d => d.Size is not null) ? D.Known(rest.Aggregate(1L, (a, d) => a * d.Size!.Value)) : rest.Length == 1 ? rest[0] : Fresh()];
        }
        else if (choice == 2 && x.Rank >= 2 && Opset >= 9)
        {
            // The target computed from the input's own shape: Concat(Unsqueeze(Gather(Shape(x), 0)), [-1]).
            var shape = Node("Shape", [x.Value]);
            var first = Node("Gather", [shape.Output, Const(Tensor.Scalar(0L), allowOverridable: false)]);
            var unsqueezed = UnsqueezeNode(first.Output, [0]);
            var concat = Node("Concat", [unsqueezed, Ints(-1)], [IrAttribute.FromInt("axis", 0)]);
            var reshape = Node("Reshape", [x.Value, concat.Output]);
            var rest = x.Dims!.Skip(1).ToArray();
            Result(reshape.Output, x.Type, [x.Dims![0], rest.All(d => d.Size is not null) ? D.Known(rest.Aggregate(1L, (a, d) => a * d.Size!.Value)) : rest.Length == 1 ? rest[0] : Fresh()], x);
            return true;
        }
        else
        {
            target = [-1];
            dims = [known is { } k ? D.Known(k) : x.Rank == 1 ? x.Dims![0] : Fresh()];
        }

        var node = Node("Reshape", [x.Value, Ints(target)]);
        var result = Result(node.Output, x.Type, dims, x);
        if (_random.NextDouble() < 0.25 && result.Rank >= 1 && (Opset >= 9 || IsFloat(result)))
        {
            // A shape-only chain (Flatten then Reshape) for the reshape fusion.
            var flatten = Node("Flatten", [result.Value], [IrAttribute.FromInt("axis", 0)]);
            var flatDims = new[] { D.Known(1), result.AllKnown ? D.Known(KnownDims(result.Dims!).Aggregate(1L, (a, b) => a * b)) : Fresh() };
            var flat = Result(flatten.Output, x.Type, flatDims, result);
            if (flat.AllKnown && flatDims[1].Size > 0)
            {
                Result(Node("Reshape", [flat.Value, Ints(flatDims[1].Size!.Value)]).Output, x.Type, [flatDims[1]], flat);
            }
        }

        return true;
    }

    private Value UnsqueezeNode(Value input, long[] axes) =>
        Opset >= 13 ? Node("Unsqueeze", [input, Ints(axes)]).Output : Node("Unsqueeze", [input], [IrAttribute.FromInts("axes", axes)]).Output;

    private Value SqueezeNode(Value input, long[]? axes) =>
        axes is null ? Node("Squeeze", [input]).Output
        : Opset >= 13 ? Node("Squeeze", [input, Ints(axes)]).Output
        : Node("Squeeze", [input], [IrAttribute.FromInts("axes", axes)]).Output;

    private bool ProduceTranspose()
    {
        if (PickValue(p => p.Dims is { Length: >= 2 }) is not { } x)
        {
            return false;
        }

        var rank = x.Rank;
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).OrderBy(_ => _random.Next()).ToArray();
        var transposed = Result(Node("Transpose", [x.Value], [IrAttribute.FromInts("perm", perm)]).Output, x.Type, [.. perm.Select(p => x.Dims![p])], x);
        var inverse = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            inverse[perm[i]] = i;
        }

        switch (_random.Next(4))
        {
            case 0:
                Result(Node("Transpose", [transposed.Value], [IrAttribute.FromInts("perm", inverse)]).Output, x.Type, x.Dims, transposed);
                break;
            case 1 when IsFloat(x):
                var activated = Unary(transposed, Pick(["Relu", "Sigmoid", "Tanh", "Neg"]));
                Result(Node("Transpose", [activated.Value], [IrAttribute.FromInts("perm", inverse)]).Output, x.Type, x.Dims, activated);
                break;
            case 2:
                var again = Enumerable.Range(0, rank).Select(i => (long)i).OrderBy(_ => _random.Next()).ToArray();
                Result(Node("Transpose", [transposed.Value], [IrAttribute.FromInts("perm", again)]).Output, x.Type, [.. again.Select(p => transposed.Dims![p])], transposed);
                break;
        }

        return true;
    }

    private bool ProduceSqueeze()
    {
        if (PickValue(p => p.Dims is { Length: >= 1 }) is not { } x)
        {
            return false;
        }

        var ones = Enumerable.Range(0, x.Rank).Where(i => x.Dims![i].Size == 1).ToList();
        if (ones.Count > 0 && _random.NextDouble() < 0.5)
        {
            var axes = ones.Where(_ => _random.NextDouble() < 0.7).DefaultIfEmpty(ones[0]).Select(a => Negatives && _random.NextDouble() < 0.3 ? (long)(a - x.Rank) : a).ToArray();
            var normalised = axes.Select(a => a < 0 ? a + x.Rank : a).ToHashSet();
            Result(SqueezeNode(x.Value, axes), x.Type, [.. x.Dims!.Where((_, i) => !normalised.Contains(i))], x);
            return true;
        }

        // Without axes every size-1 dimension goes, and a free dimension may be 1: the rank is only known when every size is.
        _features.Add("squeeze-without-axes");
        var squeezed = SqueezeNode(x.Value, null);
        Result(squeezed, x.Type, x.AllKnown ? [.. x.Dims!.Where(d => d.Size != 1)] : null, x);
        return true;
    }

    private bool ProduceUnsqueeze()
    {
        if (PickValue(p => p.Dims is { Length: <= 3 }) is not { } x)
        {
            return false;
        }

        var rank = x.Rank + 1;
        var axis = _random.Next(Negatives ? -rank : 0, rank);
        var position = axis < 0 ? axis + rank : axis;
        var dims = x.Dims!.ToList();
        dims.Insert(position, D.Known(1));
        Result(UnsqueezeNode(x.Value, [axis]), x.Type, [.. dims], x);
        return true;
    }

    private bool ProduceSlice()
    {
        if (Opset < 10 || PickValue(p => p.Dims is { Length: >= 1 }) is not { } x)
        {
            return false;
        }

        var axis = _random.Next(x.Rank);
        var (start, end, step) = x.Dims![axis].Size is null
            ? Pick<(long, long, long)>([(0, long.MaxValue, 1), (-1, long.MinValue, -1), (0, long.MaxValue, 2), (long.MaxValue, long.MinValue, -2), (-1, long.MaxValue, 1)])
            : SliceBounds(x.Dims![axis].Size, reverseFromIntMax: x.Dims!.Any(d => d.Size is null));

        // Never empty: a dimension of size 0 would make Reshape's -1 and later shapes ambiguous.
        if (x.Dims[axis].Size is { } known && SliceCount(known, start, end, step) == 0)
        {
            return false;
        }

        var node = Node("Slice", [x.Value, Ints(start), Ints(end), Ints(Negatives && _random.NextDouble() < 0.3 ? axis - x.Rank : axis), Ints(step)]);
        var dims = x.Dims.ToArray();
        dims[axis] = dims[axis].Size is { } size ? D.Known(SliceCount(size, start, end, step)) : Fresh();
        Result(node.Output, x.Type, dims, x);
        return true;
    }

    private (long Start, long End, long Step) SliceBounds(long? size, bool reverseFromIntMax = false)
    {
        var s = size ?? 3;
        var step = Pick([1L, 1, 2, -1, -1, -2, 3]);

        // Reverse slices from beyond either end are where clamping rules differ most (start below −size must clamp to
        // 0, not −1, for a negative step): draw those bounds often.
        long Bound() => _random.NextDouble() < 0.5 ? Pick(InterestingBounds)
            : step < 0 && _random.NextDouble() < 0.5 ? Pick([-s - 1, -s - 2, s, s + 1])
            : _random.NextInt64(-s - 2, s + 3);
        var end = Bound();

        // An end of INT64_MAX with a negative step means "to index 0" to ONNX Runtime's kernel but "nothing" to ONNX's
        // shape inference, which ONNX Runtime also runs where it knows every size, and then fails on its own model:
        // drawn only where a free dimension keeps that inference out (then the kernel's meaning is the model's).
        return (Bound(), step < 0 && end == long.MaxValue && !reverseFromIntMax ? long.MinValue : end, step);
    }

    /// <summary>
    /// How many elements Slice takes in ONNX Runtime, by walking the indices (independent of the optimiser's closed
    /// form). ONNX Runtime reads an end of INT32_MAX or INT64_MAX as "to the end" in the step's direction.
    /// </summary>
    internal static long SliceCount(long size, long start, long end, long step)
    {
        Int128 first = start < 0 ? (Int128)start + size : start;
        Int128 last = end is int.MaxValue or long.MaxValue ? (step < 0 ? -1 : size) : end < 0 ? (Int128)end + size : end;
        if (step > 0)
        {
            first = Int128.Clamp(first, 0, size);
            last = Int128.Clamp(last, 0, size);
        }
        else
        {
            first = Int128.Clamp(first, 0, Math.Max(0, size - 1));
            last = Int128.Clamp(last, -1, size - 1);
        }

        long count = 0;
        for (var i = first; step > 0 ? i < last : i > last; i += step)
        {
            if (size == 0)
            {
                break;
            }

            count++;
        }

        return count;
    }

    private bool ProduceConcat()
    {
        if (PickValue(p => p.Dims is { Length: >= 1 }) is not { } a)
        {
            return false;
        }

        var b = IsFloat(a) && _random.NextDouble() < 0.6 ? Unary(a, Pick(["Neg", "Relu"])) : a;
        var axis = _random.Next(a.Rank);
        var dims = a.Dims!.ToArray();
        dims[axis] = dims[axis].Size is { } size ? D.Known(size * 2) : Fresh();
        Result(Node("Concat", [a.Value, b.Value], [IrAttribute.FromInt("axis", Negatives && _random.NextDouble() < 0.3 ? axis - a.Rank : axis)]).Output, a.Type, dims, a, b);
        return true;
    }

    private bool ProduceGather()
    {
        if (PickValue(p => p.Dims is { Length: >= 1 } && p.Dims.Any(d => d.Size is > 0)) is not { } x)
        {
            return false;
        }

        var axes = Enumerable.Range(0, x.Rank).Where(i => x.Dims![i].Size is > 0).ToList();
        var axis = Pick(axes);
        var size = x.Dims![axis].Size!.Value;
        var scalar = _random.NextDouble() < 0.4;
        var count = _random.Next(1, 4);
        var indices = Enumerable.Range(0, scalar ? 1 : count).Select(_ => _random.NextInt64(Negatives ? -size : 0, size)).ToArray();
        var tensor = scalar ? Tensor.Scalar(indices[0]) : Tensor.Vector(indices);
        var dims = x.Dims.Take(axis).Concat(scalar ? [] : [D.Known(count)]).Concat(x.Dims.Skip(axis + 1)).ToArray();
        Result(Node("Gather", [x.Value, Const(tensor, allowOverridable: false)], [IrAttribute.FromInt("axis", axis)]).Output, x.Type, dims, x);
        return true;
    }

    private bool ProduceExpand()
    {
        if (PickValue(p => p.Dims is { Length: >= 1 and <= 3 }) is not { } x)
        {
            return false;
        }

        var lead = _random.Next(1, 4);
        var target = new[] { (long)lead }.Concat(x.Dims!.Select(d => d.Size == 1 && _random.NextDouble() < 0.5 ? 2L : 1L)).ToArray();
        var dims = new[] { D.Known(lead) }.Concat(x.Dims!.Select((d, i) => target[i + 1] == 2 ? D.Known(2) : d)).ToArray();
        Result(Node("Expand", [x.Value, Ints(target)]).Output, x.Type, dims, x);
        return true;
    }

    private bool ProduceShapeArithmetic()
    {
        if (PickValue(p => p.Dims is { Length: >= 1 }) is not { } x)
        {
            return false;
        }

        var attributes = Opset >= 15 && _random.NextDouble() < 0.25 ? [IrAttribute.FromInt("start", _random.Next(-x.Rank, x.Rank))] : (IrAttribute[])[];
        var shape = Node("Shape", [x.Value], attributes);
        var start = attributes.Length > 0 ? attributes[0].Int : 0;
        var length = x.Rank - (start < 0 ? start + x.Rank : start);
        var vector = new Pooled(shape.Output, DataType.Int64, [D.Known(length)]);
        Pooled current;
        switch (_random.Next(4))
        {
            case 0 when length > 0:
                current = Result(Node("Gather", [vector.Value, Const(Tensor.Scalar(_random.NextInt64(Negatives ? -length : 0, length)), allowOverridable: false)]).Output, DataType.Int64, [], vector);
                break;
            case 1 when Opset >= 10:
                var (from, to, step) = SliceBounds(length);
                var slice = Node("Slice", [vector.Value, Ints(from), Ints(to), Ints(0), Ints(step)]);
                _features.Add("slice-shape");
                current = Result(slice.Output, DataType.Int64, [D.Known(SliceCount(length, from, to, step))], vector);
                break;
            case 2:
                current = Result(Node("Size", [x.Value]).Output, DataType.Int64, []);
                break;
            default:
                current = Result(vector.Value, DataType.Int64, vector.Dims, vector);
                break;
        }

        // Integer arithmetic on the values: negation, truncating division and modulo of negative numbers, large factors.
        for (var i = 0; i < _random.Next(1, 4); i++)
        {
            var op = Pick<string>(Opset >= 10 ? ["Sub0", "Div", "Mod", "Mul", "Add", "MulLarge"] : ["Sub0", "Div", "Mul", "Add"]);
            Node node = op switch
            {
                "Sub0" => Node("Sub", [Const(Tensor.Scalar(0L), allowOverridable: false), current.Value]),
                "Div" => Node("Div", [current.Value, Const(Tensor.Scalar(Pick([2L, -2, 3, -3, 7])), allowOverridable: false)]),
                "Mod" => Node("Mod", [current.Value, Const(Tensor.Scalar(Pick([2L, -2, 3, -3])), allowOverridable: false)], _random.NextDouble() < 0.4 ? [IrAttribute.FromInt("fmod", 1)] : []),
                "Mul" => Node("Mul", [current.Value, Const(Tensor.Scalar(Pick([-1L, 2, 3])), allowOverridable: false)]),
                "MulLarge" => Node("Mul", [current.Value, Const(Tensor.Scalar((1L << 53) + Pick([1L, 3, 5])), allowOverridable: false)]),
                _ => Node("Add", [current.Value, Const(Tensor.Scalar(Pick([-7L, -1, 1, 5])), allowOverridable: false)]),
            };
            current = Result(node.Output, DataType.Int64, current.Dims, current);
        }

        if (_inputs.FirstOrDefault(i => i.Kind == InputKind.Threshold) is { } k && _random.NextDouble() < 0.4)
        {
            current = Result(Node("Add", [current.Value, k.Value]).Output, DataType.Int64, current.Dims, current);
        }

        return true;
    }

    // ---- control flow ------------------------------------------------------------------------------------------

    private InputSpec ThresholdInput()
    {
        if (_inputs.FirstOrDefault(i => i.Kind == InputKind.Threshold) is { } existing)
        {
            return existing;
        }

        var k = _graph.AddInput(Name("k"), new TensorType(DataType.Int64, TensorShape.Scalar));
        var spec = new InputSpec(k, DataType.Int64, [], InputKind.Threshold);
        _inputs.Add(spec);
        _pool.Add(new Pooled(k, DataType.Int64, []));
        return spec;
    }

    private Value Condition(Graph.Ir.Graph graph)
    {
        if (_inputs.FirstOrDefault(i => i.Kind == InputKind.Flag) is { } flag && _random.NextDouble() < 0.3)
        {
            return flag.Value;
        }

        var k = ThresholdInput();
        var threshold = _random.NextInt64(-3, 13);
        k.Thresholds.Add(threshold);
        var op = Pick(["Greater", "Less", "Equal"]);
        var constant = graph.AddInitializer(Name("t"), Tensor.Scalar(threshold));
        return graph.AddNode(op, [k.Value, constant], [Name("cond")], string.Empty, Name("n")).Output;
    }

    private bool ProduceIf()
    {
        // Before IR 4 every initializer, a branch's too, must be an input, which a branch cannot have.
        if (IrVersion < 4 || PickValue(p => (IsFloat(p) && p.Dims is not null) || (p.Type == DataType.Int64 && p.Rank == 0)) is not { } x)
        {
            return false;
        }

        var condition = Condition(_graph);
        var integer = x.Type == DataType.Int64;
        var then = Branch(_graph, x, integer, depth: 0);
        var otherwise = Branch(_graph, x, integer, depth: 0);
        var node = _graph.AddNode("If", [condition], [Name("v")], string.Empty, Name("n"), [IrAttribute.FromGraph("then_branch", then), IrAttribute.FromGraph("else_branch", otherwise)]);
        Result(node.Output, x.Type, x.Dims, x);
        return true;
    }

    /// <summary>A branch computing a value of <paramref name="x"/>'s type and dimensions from outer values.</summary>
    private Graph.Ir.Graph Branch(Graph.Ir.Graph parent, Pooled x, bool integer, int depth)
    {
        var branch = parent.CreateSubgraph(Name("branch"));
        Value output;
        var choice = _random.Next(integer ? 4 : 5);
        if (choice == 0)
        {
            // The outer value itself, through the Identity ONNX Runtime requires for an outer value returned by a subgraph.
            output = branch.AddNode("Identity", [x.Value], [Name("v")], string.Empty, Name("n")).Output;
        }
        else if (integer)
        {
            output = choice switch
            {
                // The 12c pattern: shape values, negated and divided, plus the outer scalar.
                1 when _pool.FirstOrDefault(p => p.Dims is { Length: >= 1 } && p.Value.Owner == _graph && p.Value.Producer is null && p.Value.Initializer is null) is { } data =>
                    IntegerChain(branch, data, x),
                2 => branch.AddNode("Mul", [x.Value, branch.AddInitializer(Name("c"), Tensor.Scalar(Pick([-3L, 2, 5])))], [Name("v")], string.Empty, Name("n")).Output,
                _ => branch.AddNode("Identity", [x.Value], [Name("v")], string.Empty, Name("n")).Output,
            };
        }
        else if (choice == 4 && depth == 0)
        {
            // A nested If inside the branch.
            var inner = Condition(branch);
            var innerThen = Branch(branch, x, integer: false, depth + 1);
            var innerElse = Branch(branch, x, integer: false, depth + 1);
            output = branch.AddNode("If", [inner], [Name("v")], string.Empty, Name("n"), [IrAttribute.FromGraph("then_branch", innerThen), IrAttribute.FromGraph("else_branch", innerElse)]).Output;
            _features.Add("nested-if");
        }
        else
        {
            var op = Pick(["Relu", "Neg", "Sigmoid", "AddConst"]);
            output = op == "AddConst"
                ? branch.AddNode("Add", [x.Value, branch.AddInitializer(Name("c"), Scalar(x.Type, _random.NextDouble()))], [Name("v")], string.Empty, Name("n")).Output
                : branch.AddNode(op, [x.Value], [Name("v")], string.Empty, Name("n")).Output;
        }

        if (output.Producer is not null)
        {
            output.Type = new TensorType(x.Type, x.Dims is null ? null : Shape(x.Dims));
        }

        branch.AddOutput(output);
        return branch;
    }

    private Value IntegerChain(Graph.Ir.Graph branch, Pooled data, Pooled k)
    {
        var shape = branch.AddNode("Shape", [data.Value], [Name("v")], string.Empty, Name("n")).Output;
        var index = branch.AddInitializer(Name("i"), Tensor.Scalar((long)_random.Next(data.Rank)));
        var size = branch.AddNode("Gather", [shape, index], [Name("v")], string.Empty, Name("n"), [IrAttribute.FromInt("axis", 0)]).Output;
        var zero = branch.AddInitializer(Name("c"), Tensor.Scalar(0L));
        var negative = branch.AddNode("Sub", [zero, size], [Name("v")], string.Empty, Name("n")).Output;
        var divisor = branch.AddInitializer(Name("c"), Tensor.Scalar(Pick([2L, 3L, -2L])));
        var quotient = branch.AddNode(Opset >= 10 && _random.NextDouble() < 0.3 ? "Mod" : "Div", [negative, divisor], [Name("v")], string.Empty, Name("n")).Output;
        _features.Add("integer-division-in-branch");
        return branch.AddNode("Add", [quotient, k.Value], [Name("v")], string.Empty, Name("n")).Output;
    }

    private bool ProduceLoop()
    {
        if (Opset < 11 || PickValue(p => IsFloat(p) && p.Dims is not null && !p.Random) is not { } v)
        {
            return false;
        }

        var body = _graph.CreateSubgraph(Name("body"));
        var iteration = body.AddInput(Name("iter"), new TensorType(DataType.Int64, TensorShape.Scalar));
        var conditionIn = body.AddInput(Name("cond_in"), new TensorType(DataType.Bool, TensorShape.Scalar));
        var carried = body.AddInput(Name("carried"), new TensorType(v.Type, Shape(v.Dims!)));
        var asFloat = body.AddNode("Cast", [iteration], [Name("v")], string.Empty, Name("n"), [IrAttribute.FromInt("to", (long)v.Type)]).Output;
        var scaled = body.AddNode("Mul", [carried, body.AddInitializer(Name("c"), Scalar(v.Type, 0.5))], [Name("v")], string.Empty, Name("n")).Output;
        var next = body.AddNode("Add", [scaled, asFloat], [Name("v")], string.Empty, Name("n")).Output;
        if (_random.NextDouble() < 0.5 && _pool.FirstOrDefault(p => p.Type == v.Type && p.Dims is not null && p.Value.Owner == _graph && p.Rank == v.Rank && p.Dims.Zip(v.Dims!).All(q => SameDim(q.First, q.Second))) is { } outer)
        {
            // The body reads an outer value too.
            next = body.AddNode("Add", [next, outer.Value], [Name("v")], string.Empty, Name("n")).Output;
        }

        var conditionOut = body.AddNode("Identity", [conditionIn], [Name("v")], string.Empty, Name("n")).Output;
        conditionOut.Type = new TensorType(DataType.Bool, TensorShape.Scalar);
        next.Type = new TensorType(v.Type, Shape(v.Dims!));
        body.AddOutput(conditionOut);
        body.AddOutput(next);
        var trips = Const(Tensor.Scalar((long)_random.Next(1, 4)), allowOverridable: false);
        var keepGoing = Const(Tensor.Scalar(true), allowOverridable: false);
        var loop = _graph.AddNode("Loop", [trips, keepGoing, v.Value], [Name("v")], string.Empty, Name("n"), [IrAttribute.FromGraph("body", body)]);
        Result(loop.Output, v.Type, v.Dims, v);
        return true;
    }

    // ---- random operators ----------------------------------------------------------------------------------------

    private bool ProduceRandom()
    {
        if (PickValue(p => IsFloat(p) && p.Dims is not null) is not { } x)
        {
            return false;
        }

        var source = _random.NextDouble() < 0.25 ? new Pooled(Const(RandomFloats(x.Type, [.. x.Dims!.Select(d => d.Size ?? 2)]), allowOverridable: false), x.Type, [.. x.Dims!.Select(d => D.Known(d.Size ?? 2))]) { Constant = true } : x;
        switch (_random.Next(5))
        {
            case 0:
            case 1:
                var op = Pick(["RandomUniformLike", "RandomNormalLike"]);
                var dtype = _random.NextDouble() < 0.3 ? (source.Type == DataType.Float ? DataType.Double : DataType.Float) : source.Type;
                var attributes = new List<IrAttribute>();
                if (dtype != source.Type || _random.NextDouble() < 0.3)
                {
                    attributes.Add(IrAttribute.FromInt("dtype", (long)dtype));
                    _features.Add("random-dtype");
                }

                var twin = _random.NextDouble() < 0.35;
                var first = Result(Node(op, [source.Value], attributes).Output, dtype, source.Dims, source) with { Random = true };
                _pool[^1] = first;
                if (dtype != source.Type && _random.NextDouble() < 0.6)
                {
                    // Back to the source's type, as models do: only right if type inference knew the dtype.
                    Result(Node("Cast", [first.Value], [IrAttribute.FromInt("to", (long)source.Type)]).Output, source.Type, source.Dims, first);
                }

                if (twin)
                {
                    // Two identical random nodes: merging them would make their difference zero.
                    var second = Result(Node(op, [source.Value], attributes).Output, dtype, source.Dims, source) with { Random = true };
                    _pool[^1] = second;
                    _pool.Add(new Pooled(Node("Sub", [first.Value, second.Value]).Output, dtype, source.Dims) { Random = true });
                    _features.Add("random-twins");
                }

                return true;
            case 2 when Opset >= 15:
                var probability = Unary(source, "Sigmoid");
                _pool.Add(new Pooled(Node("Bernoulli", [probability.Value]).Output, source.Type, source.Dims) { Random = true });
                return true;
            default:
                if (Opset < 12)
                {
                    return false;
                }

                var training = _random.NextDouble() < 0.7;
                var dropoutAttributes = _random.NextDouble() < 0.5 ? [IrAttribute.FromInt("seed", _random.Next(1, 100))] : (IrAttribute[])[];
                var dropout = Node("Dropout", [source.Value, Const(Scalar(source.Type, 0.5), allowOverridable: false), Const(Tensor.Scalar(training), allowOverridable: false)], dropoutAttributes);
                _pool.Add(new Pooled(dropout.Output, source.Type, source.Dims) { Random = training || source.Random, Quantised = source.Quantised });
                _features.Add(training ? "dropout-training" : "dropout-inference");
                return true;
        }
    }

    // ---- quantisation ----------------------------------------------------------------------------------------------

    private bool ProduceQuantised()
    {
        if (Opset < 13)
        {
            return false;
        }

        if (_random.NextDouble() < 0.5 && PickValue(p => p.Type == DataType.Float && p.Rank >= 2 && p.Dims![^1].Size is > 0 && !p.Random) is { } a)
        {
            // Weight-only quantisation: int8 weights stay int8 behind their DequantizeLinear.
            var k = a.Dims![^1].Size!.Value;
            var n = _random.Next(2, 9);
            var weights = Enumerable.Range(0, (int)(k * n)).Select(_ => (sbyte)_random.Next(-127, 128)).ToArray();
            var quantised = Const(Tensor.From<sbyte>(weights, k, n), allowOverridable: false);
            var scale = Const(Tensor.Scalar((float)(0.005 + (_random.NextDouble() * 0.02))), allowOverridable: false);
            var zero = Const(Tensor.Scalar((sbyte)0), allowOverridable: false);
            var dequantised = Node("DequantizeLinear", [quantised, scale, zero]);
            var product = Result(Node("MatMul", [a.Value, dequantised.Output]).Output, DataType.Float, [.. a.Dims[..^1], D.Known(n)], a);
            _pool[^1] = product with { Quantised = true };
            _features.Add("weight-only-int8");
            return true;
        }

        if (PickValue(p => p.Type == DataType.Float && p.Rank == 4 && p.Dims![1].Size is > 0 && !p.Random) is not { } x)
        {
            return false;
        }

        // Static QDQ: x → Q → DQ → Conv (DQ int8 weights) → Q → DQ, an output of its own (±1 quantisation step).
        var channels = x.Dims![1].Size!.Value;
        var outChannels = _random.Next(1, 5);
        var inputScale = Const(Tensor.Scalar((float)(0.01 + (_random.NextDouble() * 0.02))), allowOverridable: false);
        var inputZero = Const(Tensor.Scalar((byte)128), allowOverridable: false);
        var q = Node("QuantizeLinear", [x.Value, inputScale, inputZero]);
        var dq = Node("DequantizeLinear", [q.Output, inputScale, inputZero]);
        var weightValues = Enumerable.Range(0, (int)(outChannels * channels * 9)).Select(_ => (sbyte)_random.Next(-127, 128)).ToArray();
        var weight = Node("DequantizeLinear", [Const(Tensor.From<sbyte>(weightValues, outChannels, channels, 3, 3), allowOverridable: false), Const(Tensor.Scalar(0.01f), allowOverridable: false), Const(Tensor.Scalar((sbyte)0), allowOverridable: false)]);
        var conv = Node("Conv", [dq.Output, weight.Output], [IrAttribute.FromInts("pads", [1, 1, 1, 1])]);
        var outputScale = 0.02 + (_random.NextDouble() * 0.05);
        var outScale = Const(Tensor.Scalar((float)outputScale), allowOverridable: false);
        var outZero = Const(Tensor.Scalar((byte)128), allowOverridable: false);
        var requantised = Node("QuantizeLinear", [conv.Output, outScale, outZero]);
        var result = Node("DequantizeLinear", [requantised.Output, outScale, outZero]);
        var dims = new[] { x.Dims[0], D.Known(outChannels), x.Dims[2], x.Dims[3] };
        _quantised[result.Output] = (float)outputScale;
        _outputs.Add(result.Output);
        result.Output.Type = new TensorType(DataType.Float, Shape(dims));
        _features.Add("qdq-conv");
        return true;
    }

    // ---- decomposed fusions ------------------------------------------------------------------------------------------

    private bool ProduceLayerNorm()
    {
        if (Opset < 9 || PickValue(p => p.Type == DataType.Float && p.Rank >= 2 && p.Dims![^1].Size is >= 2) is not { } x)
        {
            return false;
        }

        var width = x.Dims![^1].Size!.Value;
        var axes = new[] { IrAttribute.FromInts("axes", [-1]) };
        var mean = Node("ReduceMean", [x.Value], axes);
        var centred = Node("Sub", [x.Value, mean.Output]);
        var square = _random.NextDouble() < 0.5 ? Node("Pow", [centred.Output, Const(Tensor.Scalar(2f), allowOverridable: false)]) : Node("Mul", [centred.Output, centred.Output]);
        var variance = Node("ReduceMean", [square.Output], axes);
        var shifted = Node("Add", [variance.Output, Const(Tensor.Scalar(1e-5f), allowOverridable: false)]);
        var root = Node("Sqrt", [shifted.Output]);
        var normalised = Node("Div", [centred.Output, root.Output]);
        var scaled = Node("Mul", [normalised.Output, Const(RandomFloats(DataType.Float, [width]))]);
        var last = _random.NextDouble() < 0.7 ? Node("Add", [scaled.Output, Const(RandomFloats(DataType.Float, [width]))]) : scaled;
        Result(last.Output, DataType.Float, x.Dims, x);
        return true;
    }

    private bool ProduceGelu()
    {
        if (Opset < 9 || PickValue(p => p.Type == DataType.Float && p.Dims is not null) is not { } x)
        {
            return false;
        }

        var scaled = _random.NextDouble() < 0.5
            ? Node("Div", [x.Value, Const(Tensor.Scalar(1.4142135f), allowOverridable: false)])
            : Node("Mul", [x.Value, Const(Tensor.Scalar(0.70710677f), allowOverridable: false)]);
        var erf = Node("Erf", [scaled.Output]);
        var plusOne = Node("Add", [erf.Output, Const(Tensor.Scalar(1f), allowOverridable: false)]);
        Node result;
        if (_random.NextDouble() < 0.5)
        {
            var times = Node("Mul", [x.Value, plusOne.Output]);
            result = Node("Mul", [times.Output, Const(Tensor.Scalar(0.5f), allowOverridable: false)]);
        }
        else
        {
            var half = Node("Mul", [x.Value, Const(Tensor.Scalar(0.5f), allowOverridable: false)]);
            result = Node("Mul", [half.Output, plusOne.Output]);
        }

        Result(result.Output, DataType.Float, x.Dims, x);
        return true;
    }

    private bool ProduceConstantExpression()
    {
        if (PickValue(p => IsFloat(p) && p.Dims is { Length: >= 1 } && p.Dims[^1].Size is > 0) is not { } x)
        {
            return false;
        }

        var width = x.Dims![^1].Size!.Value;
        var a = new Pooled(Const(RandomFloats(x.Type, [width]), allowOverridable: _random.NextDouble() < 0.5), x.Type, [D.Known(width)]) { Constant = true };
        var b = Unary(a, Pick(["Relu", "Neg", "Sigmoid"]));
        var c = Result(Node("Mul", [b.Value, Const(Scalar(x.Type, 2), allowOverridable: false)]).Output, x.Type, b.Dims, b);
        if (_random.NextDouble() < 0.4)
        {
            var t = Result(Node("Unsqueeze", Opset >= 13 ? [c.Value, Ints(0)] : [c.Value], Opset >= 13 ? [] : [IrAttribute.FromInts("axes", [0])]).Output, x.Type, [D.Known(1), D.Known(width)], c);
            c = Result(Node("Transpose", [t.Value], [IrAttribute.FromInts("perm", [1, 0])]).Output, x.Type, [D.Known(width), D.Known(1)], t);
            c = Result(Node("Reshape", [c.Value, Ints(width)]).Output, x.Type, [D.Known(width)], c);
        }

        Result(Node("Add", [x.Value, c.Value]).Output, x.Type, x.Dims, x, c);
        return true;
    }
}
