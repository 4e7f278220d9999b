using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes.Rules;

/// <summary>Operators that rearrange data: Reshape, Flatten, Transpose, Concat, Split, (Un)Squeeze, Expand, Tile, Pad, Shape, Resize.</summary>
internal static class ShapeManipulationRules
{
    public static void Register(Dictionary<string, ShapeInference.Rule> rules)
    {
        rules["Reshape"] = c => [new TensorType(c.ElementType(0), Reshape(c.Shape(0), c.ConstantInts(1), c.Int("allowzero", 0) != 0))];
        rules["Flatten"] = c =>
        {
            if (c.Shape(0) is not { } x)
            {
                return [new TensorType(c.ElementType(0), null)];
            }

            var axis = Dims.Axis(c.Int("axis", 1), x.Rank);
            return [new TensorType(c.ElementType(0), new TensorShape([Dims.Product(x.Dims.Take(axis)), Dims.Product(x.Dims.Skip(axis))]))];
        };
        rules["Transpose"] = c =>
        {
            if (c.Shape(0) is not { } x)
            {
                return [new TensorType(c.ElementType(0), null)];
            }

            var perm = c.Ints("perm") ?? [.. Enumerable.Range(0, x.Rank).Reverse().Select(i => (long)i)];
            return [new TensorType(c.ElementType(0), new TensorShape(perm.Select(p => x.Dims[(int)p])))];
        };
        rules["Concat"] = c =>
        {
            var shapes = Enumerable.Range(0, c.InputCount).Select(c.Shape).ToList();
            if (shapes.Count == 0 || shapes.Any(s => s is null))
            {
                return [new TensorType(c.ElementType(0), null)];
            }

            var rank = shapes[0]!.Rank;
            var axis = Dims.Axis(c.Int("axis", 0), rank);
            var dims = shapes[0]!.Dims.ToArray();
            for (var i = 0; i < rank; i++)
            {
                dims[i] = i == axis ? Dims.Product([]) : shapes.Select(s => s!.Dims[i]).Aggregate(Dims.Broadcast);
            }

            long total = 0;
            foreach (var shape in shapes)
            {
                if (shape!.Dims[axis].Value is not { } size)
                {
                    total = -1;
                    break;
                }

                total += size;
            }

            dims[axis] = total < 0 ? Dim.Unknown : Dim.Known(total);
            return [new TensorType(c.ElementType(0), new TensorShape(dims))];
        };
        rules["Split"] = Split;
        rules["Squeeze"] = c =>
        {
            if (c.Shape(0) is not { } x)
            {
                return [new TensorType(c.ElementType(0), null)];
            }

            var axes = c.Opset >= 13 ? c.ConstantInts(1) : c.Ints("axes");
            if (axes is null && c.InputCount > 1 && c.Opset >= 13)
            {
                return [new TensorType(c.ElementType(0), null)];
            }

            if (axes is null && !x.IsFullyKnown)
            {
                // Without axes every dimension of size 1 goes, and a free dimension may be 1 at run time
                // ([1, T, 4] gives [T, 4] or [4]): even the rank is unknown.
                return [new TensorType(c.ElementType(0), null)];
            }

            var drop = axes?.Select(a => Dims.Axis(a, x.Rank)).ToHashSet() ?? [.. Enumerable.Range(0, x.Rank).Where(i => x.Dims[i].Value == 1)];
            return [new TensorType(c.ElementType(0), new TensorShape(x.Dims.Where((_, i) => !drop.Contains(i))))];
        };
        rules["Unsqueeze"] = c =>
        {
            var axes = c.Opset >= 13 ? c.ConstantInts(1) : c.Ints("axes");
            if (c.Shape(0) is not { } x || axes is null)
            {
                return [new TensorType(c.ElementType(0), null)];
            }

            var rank = x.Rank + axes.Length;
            var inserted = axes.Select(a => Dims.Axis(a, rank)).ToHashSet();
            var dims = new List<Dim>(rank);
            var source = 0;
            for (var i = 0; i < rank; i++)
            {
                dims.Add(inserted.Contains(i) ? Dim.Known(1) : x.Dims[source++]);
            }

            return [new TensorType(c.ElementType(0), new TensorShape(dims))];
        };
        rules["Expand"] = c =>
        {
            var target = c.ConstantInts(1);
            return [new TensorType(c.ElementType(0), target is null ? null : Dims.Broadcast([c.Shape(0), new TensorShape(target.Select(Dim.Known))]))];
        };
        rules["Tile"] = c =>
        {
            var repeats = c.ConstantInts(1);
            if (c.Shape(0) is not { } x || repeats is null || repeats.Length != x.Rank)
            {
                return [new TensorType(c.ElementType(0), c.Shape(0) is { } s ? new TensorShape(s.Dims.Select(_ => Dim.Unknown)) : null)];
            }

            return [new TensorType(c.ElementType(0), new TensorShape(x.Dims.Select((d, i) => Dims.Map(d, v => v * repeats[i]))))];
        };
        rules["Pad"] = c =>
        {
            var pads = c.Opset >= 11 ? c.ConstantInts(1) : c.Ints("pads");
            if (c.Shape(0) is not { } x || pads is null)
            {
                return [new TensorType(c.ElementType(0), c.Shape(0) is { } s ? new TensorShape(s.Dims.Select(_ => Dim.Unknown)) : null)];
            }

            var axes = c.Opset >= 18 && c.ConstantInts(3) is { } given ? given.Select(a => Dims.Axis(a, x.Rank)).ToArray() : [.. Enumerable.Range(0, x.Rank)];
            var dims = x.Dims.ToArray();
            for (var i = 0; i < axes.Length; i++)
            {
                var axis = axes[i];
                var begin = pads[i];
                var end = pads[i + axes.Length];
                dims[axis] = Dims.Map(dims[axis], v => v + begin + end);
            }

            return [new TensorType(c.ElementType(0), new TensorShape(dims))];
        };
        rules["Shape"] = c =>
        {
            if (c.Shape(0) is not { } x)
            {
                return [new TensorType(DataType.Int64, new TensorShape([Dim.Unknown]))];
            }

            var start = Math.Clamp(Dims.Axis(c.Int("start", 0), x.Rank), 0, x.Rank);
            var end = Math.Clamp(c.Node.Attribute("end") is null ? x.Rank : Dims.Axis(c.Int("end", x.Rank), x.Rank), 0, x.Rank);
            return [new TensorType(DataType.Int64, TensorShape.Of(Math.Max(0, end - start)))];
        };
        rules["Size"] = _ => [new TensorType(DataType.Int64, TensorShape.Scalar)];
        rules["DepthToSpace"] = c => [new TensorType(c.ElementType(0), c.Shape(0) is { Rank: 4 } x
            ? new TensorShape([x.Dims[0], Dims.Map(x.Dims[1], v => v / (c.Int("blocksize", 1) * c.Int("blocksize", 1))), Dims.Map(x.Dims[2], v => v * c.Int("blocksize", 1)), Dims.Map(x.Dims[3], v => v * c.Int("blocksize", 1))])
            : null)];
        rules["SpaceToDepth"] = c => [new TensorType(c.ElementType(0), c.Shape(0) is { Rank: 4 } x
            ? new TensorShape([x.Dims[0], Dims.Map(x.Dims[1], v => v * c.Int("blocksize", 1) * c.Int("blocksize", 1)), Dims.Map(x.Dims[2], v => v / c.Int("blocksize", 1)), Dims.Map(x.Dims[3], v => v / c.Int("blocksize", 1))])
            : null)];
        rules["Resize"] = Resize;
        rules["Upsample"] = Resize;
    }

    /// <summary>Reshape's output for a constant target shape (0 copies a dimension unless allowzero, -1 is inferred).</summary>
    public static TensorShape? Reshape(TensorShape? input, long[]? target, bool allowZero)
    {
        if (target is null)
        {
            return null;
        }

        var dims = new Dim[target.Length];
        var inferred = -1;
        for (var i = 0; i < target.Length; i++)
        {
            dims[i] = target[i] switch
            {
                0 when !allowZero => input is not null && i < input.Rank ? input.Dims[i] : Dim.Unknown,
                -1 => Dim.Unknown,
                var size => Dim.Known(size),
            };
            if (target[i] == -1)
            {
                inferred = i;
            }
        }

        if (inferred >= 0 && input?.ElementCount() is { } total)
        {
            var known = dims.Where((_, i) => i != inferred).Select(d => d.Value).ToList();
            if (known.All(v => v.HasValue))
            {
                var rest = known.Aggregate(1L, (a, b) => a * b!.Value);
                dims[inferred] = rest == 0 ? Dim.Known(0) : Dim.Known(total / rest);
            }
        }
        else if (inferred >= 0 && input is not null)
        {
            // Symbolic: the remaining dimension is whatever the input's unknown part is, when only one symbol is left.
            var unmatched = input.Dims.Where(d => !d.IsKnown).ToList();
            if (unmatched.Count == 1 && dims.Count(d => !d.IsKnown) == 1)
            {
                var knownInput = input.Dims.Where(d => d.IsKnown).Aggregate(1L, (a, d) => a * d.Value!.Value);
                var knownOutput = dims.Where((d, i) => i != inferred && d.IsKnown).Aggregate(1L, (a, d) => a * d.Value!.Value);
                if (knownInput == knownOutput)
                {
                    dims[inferred] = unmatched[0];
                }
            }
        }

        return new TensorShape(dims);
    }

    private static Ir.ValueType?[] Split(InferenceContext c)
    {
        var outputs = c.Node.Outputs.Count;
        if (c.Shape(0) is not { } x)
        {
            return [.. Enumerable.Repeat<Ir.ValueType?>(new TensorType(c.ElementType(0), null), outputs)];
        }

        var axis = Dims.Axis(c.Int("axis", 0), x.Rank);
        var sizes = c.Opset >= 13 ? c.ConstantInts(1) : c.Ints("split");
        var sizesGiven = c.Opset >= 13 ? c.Node.Input(1) is not null : c.Ints("split") is not null;

        // Equal parts only when no sizes are given at all; sizes computed at run time leave the split dimension unknown.
        if (sizes is null && !sizesGiven && x.Dims[axis].Value is { } total && outputs > 0)
        {
            var chunk = (total + outputs - 1) / outputs;
            sizes = [.. Enumerable.Range(0, outputs).Select(i => Math.Min(chunk, total - (i * chunk)))];
        }

        var result = new Ir.ValueType?[outputs];
        for (var i = 0; i < outputs; i++)
        {
            var dims = x.Dims.ToArray();
            dims[axis] = sizes is not null && i < sizes.Length ? Dim.Known(sizes[i]) : Dim.Unknown;
            result[i] = new TensorType(c.ElementType(0), new TensorShape(dims));
        }

        return result;
    }

    private static Ir.ValueType?[] Resize(InferenceContext c)
    {
        if (c.Shape(0) is not { } x)
        {
            return [new TensorType(c.ElementType(0), null)];
        }

        var isUpsample = c.Node.OpType == "Upsample";
        var sizes = !isUpsample && c.InputCount > 3 ? c.ConstantInts(3) : null;
        if (sizes is { Length: > 0 } && sizes.Length == x.Rank)
        {
            return [new TensorType(c.ElementType(0), TensorShape.Of(sizes))];
        }

        var scalesIndex = isUpsample ? 1 : c.Opset >= 11 ? 2 : 1;
        var scales = c.Constant(scalesIndex)?.ToDoubleArray() ?? c.Node.Attribute("scales")?.Floats.Select(f => (double)f).ToArray();
        if (scales is { Length: > 0 } && scales.Length == x.Rank)
        {
            return [new TensorType(c.ElementType(0), new TensorShape(x.Dims.Select((d, i) => Dims.Map(d, v => (long)Math.Floor(v * scales[i])))))];
        }

        return [new TensorType(c.ElementType(0), new TensorShape(x.Dims.Select(_ => Dim.Unknown)))];
    }
}
