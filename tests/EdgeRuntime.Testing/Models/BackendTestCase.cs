using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;

namespace EdgeRuntime.Testing.Models;

/// <summary>
/// One case of the ONNX backend conformance suite in ../shared/models/onnx-backend-tests: a model and, in
/// test_data_set_0, its inputs and expected outputs (TensorProto files, in graph input/output order).
/// </summary>
public sealed record BackendTestCase(string Suite, string Name, string ModelPath)
{
    /// <summary>The suite's folder.</summary>
    public static string Root => Path.Combine(SharedModels.Root, "onnx-backend-tests");

    /// <summary>Cases with a data set, as "suite/name" ids (light/ models have only an expected output).</summary>
    public static IEnumerable<string> Ids(params string[] suites)
    {
        foreach (var suite in suites)
        {
            var folder = Path.Combine(Root, suite);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var directory in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(directory, "model.onnx")) && Directory.Exists(Path.Combine(directory, "test_data_set_0")))
                {
                    yield return $"{suite}/{Path.GetFileName(directory)}";
                }
            }
        }
    }

    /// <summary>Loads a case by id; skips (fails under CI) when the suite is absent.</summary>
    public static BackendTestCase Load(string id)
    {
        var parts = id.Split('/', 2);
        var model = SharedModels.Require(Path.Combine("onnx-backend-tests", parts[0], parts[1], "model.onnx"));
        return new BackendTestCase(parts[0], parts[1], model);
    }

    /// <summary>The inputs, in the order the model lists its (non-initializer) inputs.</summary>
    public IReadOnlyList<Tensor> Inputs => ReadSet("input");

    /// <summary>The expected outputs, in the model's output order.</summary>
    public IReadOnlyList<Tensor> ExpectedOutputs => ReadSet("output");

    private IReadOnlyList<Tensor> ReadSet(string prefix)
    {
        var folder = Path.Combine(Path.GetDirectoryName(ModelPath)!, "test_data_set_0");
        var list = new List<Tensor>();
        for (var i = 0; File.Exists(Path.Combine(folder, $"{prefix}_{i}.pb")); i++)
        {
            list.Add(OnnxTensorReader.Read(Path.Combine(folder, $"{prefix}_{i}.pb")).Tensor);
        }

        return list;
    }
}
