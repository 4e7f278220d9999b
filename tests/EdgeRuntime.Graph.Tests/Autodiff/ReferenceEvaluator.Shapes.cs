using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff;

internal static partial class ReferenceEvaluator
{
    private static RefTensor Reshape(RefTensor x, long[] shape)
    {
        var dims = shape.Select((d, i) => d == 0 ? x.Dims[i] : d).ToArray();
        var known = dims.Where(d => d != -1).Aggregate(1L, (a, b) => a * b);
        return new RefTensor(x.Data, [.. dims.Select(d => d == -1 ? x.Count / known : d)]);
    }

    private static RefTensor Flatten(RefTensor x, long axis)
    {
        var outer = x.Dims.Take((int)axis).Aggregate(1L, (a, b) => a * b);
        return new RefTensor(x.Data, [outer, x.Count / outer]);
    }

    private static RefTensor Unsqueeze(RefTensor x, long[] axes)
    {
        var rank = x.Dims.Length + axes.Length;
        var normalised = axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
        var dims = new List<long>();
        var from = 0;
        for (var i = 0; i < rank; i++)
        {
            dims.Add(normalised.Contains(i) ? 1 : x.Dims[from++]);
        }

        return new RefTensor(x.Data, [.. dims]);
    }

    private static RefTensor Transpose(RefTensor x, long[] perm)
    {
        var dims = perm.Select(p => x.Dims[p]).ToArray();
        var result = new double[x.Count];
        var index = new long[dims.Length];
        var source = new long[dims.Length];
        for (var i = 0; i < result.Length; i++)
        {
            Unravel(i, dims, index);
            for (var d = 0; d < dims.Length; d++)
            {
                source[perm[d]] = index[d];
            }

            result[i] = x.Data[Offset(source, x.Dims)];
        }

        return new RefTensor(result, dims);
    }

    private static RefTensor Slice(Node node, RefTensor?[] inputs, long opset)
    {
        var x = inputs[0]!;
        long[] starts, ends, axes, steps;
        if (opset >= 10)
        {
            starts = inputs[1]!.Ints();
            ends = inputs[2]!.Ints();
            axes = inputs.Length > 3 && inputs[3] is { } a ? a.Ints() : [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
            steps = inputs.Length > 4 && inputs[4] is { } s ? s.Ints() : [.. Enumerable.Repeat(1L, starts.Length)];
        }
        else
        {
            starts = node.GetInts("starts")!.Value.ToArray();
            ends = node.GetInts("ends")!.Value.ToArray();
            axes = node.GetInts("axes")?.ToArray() ?? [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
            steps = [.. Enumerable.Repeat(1L, starts.Length)];
        }

        var rank = x.Dims.Length;
        var begin = new long[rank];
        var step = Enumerable.Repeat(1L, rank).ToArray();
        var dims = x.Dims.ToArray();
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = (int)(axes[i] < 0 ? axes[i] + rank : axes[i]);
            var size = x.Dims[axis];
            long start = starts[i] < 0 ? starts[i] + size : starts[i];
            long end = ends[i] < 0 ? ends[i] + size : ends[i];
            if (steps[i] > 0)
            {
                start = Math.Clamp(start, 0, size);
                end = Math.Clamp(end, 0, size);
                dims[axis] = Math.Max(0, (end - start + steps[i] - 1) / steps[i]);
            }
            else
            {
                start = Math.Clamp(start, 0, size - 1);
                end = Math.Clamp(end, -1, size - 1);
                dims[axis] = Math.Max(0, (start - end - steps[i] - 1) / -steps[i]);
            }

            begin[axis] = start;
            step[axis] = steps[i];
        }

        var result = new double[dims.Aggregate(1L, (a, b) => a * b)];
        var index = new long[rank];
        var source = new long[rank];
        for (var i = 0; i < result.Length; i++)
        {
            Unravel(i, dims, index);
            for (var d = 0; d < rank; d++)
            {
                source[d] = begin[d] + (index[d] * step[d]);
            }

            result[i] = x.Data[Offset(source, x.Dims)];
        }

        return new RefTensor(result, dims);
    }

    private static RefTensor Concat(RefTensor[] parts, long axis)
    {
        var rank = parts[0].Dims.Length;
        axis = axis < 0 ? axis + rank : axis;
        var dims = parts[0].Dims.ToArray();
        dims[axis] = parts.Sum(p => p.Dims[axis]);
        var outer = dims.Take((int)axis).Aggregate(1L, (a, b) => a * b);
        var result = new List<double>();
        for (var o = 0L; o < outer; o++)
        {
            foreach (var part in parts)
            {
                var block = part.Count / outer;
                result.AddRange(part.Data.Skip((int)(o * block)).Take((int)block));
            }
        }

        return new RefTensor([.. result], dims);
    }

    private static RefTensor Gather(RefTensor data, RefTensor indices, long axis)
    {
        var rank = data.Dims.Length;
        axis = axis < 0 ? axis + rank : axis;
        var outer = data.Dims.Take((int)axis).Aggregate(1L, (a, b) => a * b);
        var inner = data.Dims.Skip((int)axis + 1).Aggregate(1L, (a, b) => a * b);
        var size = data.Dims[axis];
        var result = new List<double>();
        for (var o = 0L; o < outer; o++)
        {
            foreach (var raw in indices.Ints())
            {
                var at = raw < 0 ? raw + size : raw;
                result.AddRange(data.Data.Skip((int)(((o * size) + at) * inner)).Take((int)inner));
            }
        }

        return new RefTensor([.. result], [.. data.Dims.Take((int)axis), .. indices.Dims, .. data.Dims.Skip((int)axis + 1)]);
    }
}
