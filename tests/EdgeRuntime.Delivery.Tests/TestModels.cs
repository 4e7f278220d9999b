using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using Attribute = EdgeRuntime.Graph.Ir.Attribute;

namespace EdgeRuntime.Delivery.Tests;

/// <summary>Real ONNX models built in code, each for one delivery scenario.</summary>
internal static class TestModels
{
    /// <summary>The input every model here takes: x, float [1, 4].</summary>
    public static Tensor Input(params float[] values) => Tensor.From<float>(values.Length == 4 ? values : [1, 2, 3, 4], [1, 4]);

    /// <summary>y = x × <paramref name="factor"/>; <paramref name="paddingBytes"/> of weights the output does not use make the file as large as wanted.</summary>
    public static byte[] Scale(float factor, int paddingBytes = 0)
    {
        var (model, graph, x) = New();
        var scale = graph.AddInitializer("scale", Tensor.From<float>([factor], [1]));
        var y = graph.AddNode("Mul", [x, scale], [paddingBytes > 0 ? "scaled" : "y"]).Outputs[0]!;
        if (paddingBytes > 0)
        {
            // Used (so no pruning removes it) but without effect: y + 0 × sum(padding).
            var count = paddingBytes / 4;
            var values = new float[count];
            new Random(count).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = float.IsFinite(values[i]) ? values[i] % 1 : 0;
            }

            var padding = graph.AddInitializer("padding", Tensor.From<float>(values, [count]));
            var zero = graph.AddInitializer("zero", Tensor.From<float>([0f], [1]));
            var sum = graph.AddNode("ReduceSum", [padding], "padding_sum", attributes: [Attribute.FromInt("keepdims", 1)]).Outputs[0];
            var nothing = graph.AddNode("Mul", [sum, zero], "nothing").Outputs[0];
            y = graph.AddNode("Add", [y, nothing], ["y"]).Outputs[0]!;
        }

        graph.AddOutput(y!);
        return OnnxModelWriter.ToBytes(model);
    }

    /// <summary>
    /// y = x × <paramref name="factor"/> + 0 × sum(x · W), with W [4, n] of <paramref name="weightBytes"/>: weights that
    /// depend on the input, so no optimisation folds them away and the optimised plan is as large as the model.
    /// </summary>
    public static byte[] ScaleWithWeights(float factor, int weightBytes)
    {
        var (model, graph, x) = New();
        var scale = graph.AddInitializer("scale", Tensor.From<float>([factor], [1]));
        var scaled = graph.AddNode("Mul", [x, scale], "scaled").Outputs[0];
        var columns = Math.Max(1, weightBytes / 16);
        var values = new float[4 * columns];
        var random = new Random(columns);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }

        var weights = graph.AddInitializer("weights", Tensor.From<float>(values, [4, columns]));
        var zero = graph.AddInitializer("zero", Tensor.From<float>([0f], [1]));
        var product = graph.AddNode("MatMul", [x, weights], "product").Outputs[0];
        var sum = graph.AddNode("ReduceSum", [product], "sum", attributes: [Attribute.FromInt("keepdims", 1)]).Outputs[0];
        var nothing = graph.AddNode("Mul", [sum, zero], "nothing").Outputs[0];
        graph.AddOutput(graph.AddNode("Add", [scaled, nothing], ["y"]).Outputs[0]!);
        return OnnxModelWriter.ToBytes(model);
    }

    /// <summary>Asks ONNX Runtime for a 4 GiB tensor at run time (a ConstantOfShape of 2³⁰ floats): a model that balloons.</summary>
    public static byte[] MemoryBomb()
    {
        var (model, graph, x) = New();
        var shape = graph.AddInitializer("shape", Tensor.From<long>([1L << 30], [1]));
        var big = graph.AddNode("ConstantOfShape", [shape], "big", attributes: [Attribute.FromTensor("value", Tensor.From<float>([1f], [1]))]).Outputs[0];
        var sum = graph.AddNode("ReduceSum", [big], "sum", attributes: [Attribute.FromInt("keepdims", 1)]).Outputs[0];
        graph.AddOutput(graph.AddNode("Add", [x, sum], ["y"]).Outputs[0]!);
        return OnnxModelWriter.ToBytes(model);
    }

    /// <summary>A Loop of 2⁶² iterations: a model whose first inference never finishes.</summary>
    public static byte[] Endless()
    {
        var (model, graph, x) = New();
        var trips = graph.AddInitializer("trips", Tensor.From<long>([1L << 62], []));
        var keepGoing = graph.AddInitializer("keep_going", Tensor.From<bool>([true], []));
        var body = graph.CreateSubgraph("body");
        body.AddInput("i", new TensorType(DataType.Int64, TensorShape.Of()));
        var condition = body.AddInput("cond", new TensorType(DataType.Bool, TensorShape.Of()));
        var carried = body.AddInput("v", new TensorType(DataType.Float, TensorShape.Of(1, 4)));
        body.AddOutput(body.AddNode("Identity", [condition], "cond_out").Outputs[0]!);
        body.AddOutput(body.AddNode("Identity", [carried], "v_out").Outputs[0]!);
        var loop = graph.AddNode("Loop", [trips, keepGoing, x], ["y"], attributes: [Attribute.FromGraph("body", body)]);
        graph.AddOutput(loop.Outputs[0]!);
        return OnnxModelWriter.ToBytes(model);
    }

    private static (Model Model, Graph.Ir.Graph Graph, Value X) New()
    {
        var graph = new Graph.Ir.Graph("delivery_test");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var x = graph.AddInput("x", new TensorType(DataType.Float, TensorShape.Of(1, 4)));
        return (model, graph, x);
    }
}
