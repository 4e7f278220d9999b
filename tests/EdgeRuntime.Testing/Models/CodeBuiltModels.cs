using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;

namespace EdgeRuntime.Testing.Models;

/// <summary>Small real ONNX models built in code that tests of several projects share.</summary>
public static class CodeBuiltModels
{
    /// <summary>x [batch, 2] → Range(0, sum(x), 1): an output as long as the values say.</summary>
    public static byte[] RangeOfSum()
    {
        var graph = new Graph.Ir.Graph("range");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var x = graph.AddInput("x", new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Known(2)])));
        var sum = graph.AddNode("ReduceSum", [x], "sum", attributes: [Graph.Ir.Attribute.FromInt("keepdims", 0)]).Outputs[0];
        var zero = graph.AddInitializer("zero", Tensor.From<float>([0f], []));
        var one = graph.AddInitializer("one", Tensor.From<float>([1f], []));
        graph.AddOutput(graph.AddNode("Range", [zero, sum, one], ["y"]).Outputs[0]!);
        return OnnxModelWriter.ToBytes(model);
    }
}
