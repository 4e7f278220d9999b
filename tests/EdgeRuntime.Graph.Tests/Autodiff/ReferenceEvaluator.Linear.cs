using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff;

internal static partial class ReferenceEvaluator
{
    private static RefTensor MatMul(RefTensor a, RefTensor b)
    {
        if (a.Dims.Length != 2 || b.Dims.Length != 2)
        {
            throw new NotSupportedException("the reference MatMul is 2-D only");
        }

        var (m, k, n) = (a.Dims[0], a.Dims[1], b.Dims[1]);
        var result = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var p = 0; p < k; p++)
                {
                    sum += a.Data[(i * k) + p] * b.Data[(p * n) + j];
                }

                result[(i * n) + j] = sum;
            }
        }

        return new RefTensor(result, [m, n]);
    }

    private static RefTensor Gemm(Node node, RefTensor?[] inputs)
    {
        var a = node.GetInt("transA", 0) != 0 ? Transpose(inputs[0]!, [1, 0]) : inputs[0]!;
        var b = node.GetInt("transB", 0) != 0 ? Transpose(inputs[1]!, [1, 0]) : inputs[1]!;
        var product = Map(MatMul(a, b), v => v * node.GetFloat("alpha", 1f));
        return inputs.Length > 2 && inputs[2] is { } c ? Broadcast(product, Map(c, v => v * node.GetFloat("beta", 1f)), (p, q) => p + q) : product;
    }

    /// <summary>2-D convolution as the ONNX Conv operator defines it (group, strides, pads or auto_pad, dilations).</summary>
    private static RefTensor Conv(Node node, RefTensor?[] inputs)
    {
        var (x, w) = (inputs[0]!, inputs[1]!);
        var bias = inputs.Length > 2 ? inputs[2] : null;
        var (n, c, h, wd) = (x.Dims[0], x.Dims[1], x.Dims[2], x.Dims[3]);
        var (m, cg, kh, kw) = (w.Dims[0], w.Dims[1], w.Dims[2], w.Dims[3]);
        var group = node.GetInt("group", 1);
        var (s, d, p) = Geometry(node, [h, wd], [kh, kw]);
        var oh = ((h + p[0] + p[2] - (((kh - 1) * d[0]) + 1)) / s[0]) + 1;
        var ow = ((wd + p[1] + p[3] - (((kw - 1) * d[1]) + 1)) / s[1]) + 1;
        var result = new double[n * m * oh * ow];
        var perGroup = m / group;
        var (input, weights) = (x.Data, w.Data);

        // Loops ordered so the innermost runs along an output row (the reference must stay fast enough for the shared CNNs).
        for (var b = 0L; b < n; b++)
        {
            for (var f = 0L; f < m; f++)
            {
                var plane = ((b * m) + f) * oh * ow;
                Array.Fill(result, bias?.Data[f] ?? 0, (int)plane, (int)(oh * ow));
                var g = f / perGroup;
                for (var ci = 0L; ci < cg; ci++)
                {
                    var channel = ((b * c) + (g * cg) + ci) * h * wd;
                    for (var u = 0L; u < kh; u++)
                    {
                        for (var v = 0L; v < kw; v++)
                        {
                            var tap = weights[(((f * cg) + ci) * kh * kw) + (u * kw) + v];
                            for (var i = 0L; i < oh; i++)
                            {
                                var row = (i * s[0]) - p[0] + (u * d[0]);
                                if (row < 0 || row >= h)
                                {
                                    continue;
                                }

                                var from = channel + (row * wd);
                                var to = plane + (i * ow);
                                var col = (v * d[1]) - p[1];
                                for (var j = 0L; j < ow; j++, col += s[1])
                                {
                                    if (col >= 0 && col < wd)
                                    {
                                        result[to + j] += tap * input[from + col];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        return new RefTensor(result, [n, m, oh, ow]);
    }

    /// <summary>2-D max or average pooling (pads excluded from the max; count_include_pad for the average; floor mode).</summary>
    private static RefTensor Pool(Node node, RefTensor x, bool average)
    {
        var (n, c, h, wd) = (x.Dims[0], x.Dims[1], x.Dims[2], x.Dims[3]);
        var kernel = node.GetInts("kernel_shape")!.Value.ToArray();
        var (s, d, p) = Geometry(node, [h, wd], kernel);
        var includePad = node.GetInt("count_include_pad", 0) != 0;
        var oh = ((h + p[0] + p[2] - (((kernel[0] - 1) * d[0]) + 1)) / s[0]) + 1;
        var ow = ((wd + p[1] + p[3] - (((kernel[1] - 1) * d[1]) + 1)) / s[1]) + 1;
        var result = new double[n * c * oh * ow];
        for (var plane = 0L; plane < n * c; plane++)
        {
            for (var i = 0L; i < oh; i++)
            {
                for (var j = 0L; j < ow; j++)
                {
                    double best = double.NegativeInfinity, sum = 0;
                    var count = 0;
                    for (var u = 0L; u < kernel[0]; u++)
                    {
                        for (var v = 0L; v < kernel[1]; v++)
                        {
                            var (row, col) = ((i * s[0]) - p[0] + (u * d[0]), (j * s[1]) - p[1] + (v * d[1]));
                            if (row < 0 || row >= h || col < 0 || col >= wd)
                            {
                                continue;
                            }

                            var value = x.Data[(plane * h * wd) + (row * wd) + col];
                            best = Math.Max(best, value);
                            sum += value;
                            count++;
                        }
                    }

                    result[(plane * oh * ow) + (i * ow) + j] = !average ? best : sum / (includePad ? kernel[0] * kernel[1] : count);
                }
            }
        }

        return new RefTensor(result, [n, c, oh, ow]);
    }

    private static RefTensor GlobalAveragePool(RefTensor x)
    {
        var inner = x.Dims.Skip(2).Aggregate(1L, (a, b) => a * b);
        var planes = x.Count / inner;
        var result = new double[planes];
        for (var plane = 0L; plane < planes; plane++)
        {
            result[plane] = x.Data.Skip((int)(plane * inner)).Take((int)inner).Average();
        }

        return new RefTensor(result, [x.Dims[0], x.Dims[1], .. Enumerable.Repeat(1L, x.Dims.Length - 2)]);
    }

    /// <summary>Strides, dilations and explicit pads [top, left, bottom, right], auto_pad resolved per the ONNX spec.</summary>
    private static (long[] Strides, long[] Dilations, long[] Pads) Geometry(Node node, long[] sizes, long[] kernel)
    {
        var strides = node.GetInts("strides")?.ToArray() ?? [1, 1];
        var dilations = node.GetInts("dilations")?.ToArray() ?? [1, 1];
        var autoPad = node.GetString("auto_pad", "NOTSET");
        var pads = node.GetInts("pads")?.ToArray() ?? [0, 0, 0, 0];
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            pads = new long[4];
            for (var i = 0; i < 2; i++)
            {
                var output = (sizes[i] + strides[i] - 1) / strides[i];
                var total = Math.Max(0, ((output - 1) * strides[i]) + ((kernel[i] - 1) * dilations[i]) + 1 - sizes[i]);
                pads[i] = autoPad == "SAME_UPPER" ? total / 2 : total - (total / 2);
                pads[i + 2] = total - pads[i];
            }
        }
        else if (autoPad == "VALID")
        {
            pads = [0, 0, 0, 0];
        }

        return (strides, dilations, pads);
    }
}
