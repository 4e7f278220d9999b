using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Graph.Tests.Passes;

/// <summary>
/// The ONNX backend conformance suite after O3: every case still produces its expected outputs within the
/// suite's tolerances (|got − expected| ≤ 1e-5 + 1e-3·|expected|; float16 1e-3 + 1e-2·|expected|; NaN equals
/// NaN; integers, booleans and strings exact), running on ONNX Runtime with its full optimisation.
/// </summary>
public sealed class BackendConformanceTests
{
    public static TheoryData<string> Cases => SharedModels.Available
        ? new(BackendTestCase.Ids("node", "pytorch-converted", "pytorch-operator", "simple"))
        : new(["(suite absent)"]);

    public static TheoryData<string> LightModels => SharedModels.Available && Directory.Exists(Path.Combine(BackendTestCase.Root, "light"))
        ? new(Directory.GetFiles(Path.Combine(BackendTestCase.Root, "light"), "*.onnx").Select(Path.GetFileName).Order(StringComparer.Ordinal)!)
        : new(["(suite absent)"]);

    /// <summary>
    /// O3 as edgectl optimize performs it: passes, then verification against ONNX Runtime on the case's own
    /// inputs, dropping any pass the verification bisects to. The verified model must meet the expected outputs.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void O3_BackendCase_ExpectedOutputsStillMet(string id)
    {
        if (!SharedModels.Available)
        {
            SharedModels.Require("onnx-backend-tests");
        }

        var testCase = BackendTestCase.Load(id);
        var original = OnnxModelReader.Read(testCase.ModelPath);
        var inputNames = original.Graph.Inputs.Where(i => i.Initializer is null).Select(i => i.Name).ToList();
        var outputNames = original.Graph.Outputs.Select(o => o.Name).ToList();
        var inputs = inputNames.Zip(testCase.Inputs).ToDictionary(p => p.First, p => p.Second);

        var result = new ModelOptimizer().Optimize(
            new OptimizeRequest { InputPath = testCase.ModelPath, Level = OptimizationLevel.O3, RandomSamples = 0, RecordedSamples = [inputs] },
            TestContext.Current.CancellationToken);
        foreach (var dropped in result.Dropped)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{id}: dropped {dropped.Pass}: {dropped.Reason}");
        }

        using var session = ModelSession.Create(result.Model);
        var actual = session.Run(inputs.Where(i => session.InputNames.Contains(i.Key)).ToDictionary(), outputNames);
        foreach (var (name, expected) in outputNames.Zip(testCase.ExpectedOutputs))
        {
            AssertWithinSuiteTolerance(name, expected, actual[name]);
        }
    }

    [Theory]
    [MemberData(nameof(LightModels))]
    public void RoundTripAndO3_LightModel_ExpectedOutputMet(string file)
    {
        var path = SharedModels.Require(Path.Combine("onnx-backend-tests", "light", file));
        var expected = OnnxTensorReader.Read(Path.ChangeExtension(path, null) + "_output_0.pb").Tensor;
        var model = OnnxModelReader.Read(path);
        var input = Inference.Verification.InputGenerator.Generate(model, seed: 3);
        using (var roundTrip = ModelSession.Create(OnnxModelWriter.ToBytes(model)))
        {
            AssertWithinSuiteTolerance("output 0 after the round trip", expected, roundTrip.Run(input).Values.First());
        }

        var report = new PassManager(OptimizationPresets.For(OptimizationLevel.O3)) { VerifyAfterEachPass = true }
            .Run(model, new PassContext { Evaluator = new OnnxRuntimeConstantEvaluator() }, TestContext.Current.CancellationToken);
        using var optimised = ModelSession.Create(OnnxModelWriter.ToBytes(model));
        AssertWithinSuiteTolerance("output 0 after O3", expected, optimised.Run(input).Values.First());

        // The weights are ConstantOfShape nodes; folding them all would allocate hundreds of MiB (vgg19: 548 MiB).
        Assert.True(report.After.ParameterBytes < 64L << 20, $"{report.After.ParameterBytes} bytes of constants after folding");
    }

    private static void AssertWithinSuiteTolerance(string name, Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.ElementType, actual.ElementType);
        Assert.Equal(expected.Dims, actual.Dims);
        if (!DataTypes.IsFloatingPoint(expected.ElementType))
        {
            Assert.True(expected.ContentEquals(actual), $"{name}: values differ");
            return;
        }

        var (atol, rtol) = expected.ElementType is DataType.Float16 or DataType.BFloat16 ? (1e-3, 1e-2) : (1e-5, 1e-3);
        var x = expected.ToDoubleArray();
        var y = actual.ToDoubleArray();
        for (var i = 0; i < x.Length; i++)
        {
            var same = (double.IsNaN(x[i]) && double.IsNaN(y[i])) || x[i] == y[i] || Math.Abs(x[i] - y[i]) <= atol + (rtol * Math.Abs(x[i]));
            Assert.True(same, $"{name}: element {i} is {y[i]} instead of {x[i]}");
        }
    }
}
