using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Testing.Models;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Graph.Onnx.Tests;

/// <summary>
/// Every real model and every backend conformance case goes into the IR and back out to a file that ONNX
/// Runtime loads and runs with outputs identical, bit for bit, to the original's.
/// </summary>
public sealed class RoundTripTests
{
    private static readonly SessionSettings Unoptimised = new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpThreads = 1 };

    public static TheoryData<string> RealModels => new(SharedModels.RealModels);

    public static TheoryData<string> BackendCases => SharedModels.Available
        ? new(BackendTestCase.Ids("node", "pytorch-converted", "pytorch-operator", "simple"))
        : new(["(suite absent)"]);

    public static TheoryData<string> LightModels => SharedModels.Available && Directory.Exists(Path.Combine(BackendTestCase.Root, "light"))
        ? new(Directory.GetFiles(Path.Combine(BackendTestCase.Root, "light"), "*.onnx").Select(f => Path.Combine("onnx-backend-tests", "light", Path.GetFileName(f))).Order(StringComparer.Ordinal))
        : new([Path.Combine("onnx-backend-tests", "light", "(suite absent)")]);

    [Theory]
    [MemberData(nameof(LightModels))]
    public void RoundTrip_LightModel_OutputsIdentical(string model)
    {
        var path = SharedModels.Require(model);
        var ir = OnnxModelReader.Read(path);
        AssertSameOutputs(File.ReadAllBytes(path), OnnxModelWriter.ToBytes(ir), Inference.Verification.InputGenerator.Generate(ir, seed: 11));
    }

    [Theory]
    [MemberData(nameof(RealModels))]
    public void RoundTrip_RealModel_OutputsIdentical(string model)
    {
        var path = SharedModels.Require(model);
        var original = File.ReadAllBytes(path);
        var ir = OnnxModelReader.Read(path);
        var inputs = ModelInputs.For(model, ir);

        var written = OnnxModelWriter.ToBytes(ir);

        AssertSameOutputs(original, written, inputs);
        Assert.Equal(ir.CountNodes(), OnnxModelReader.Read(written, "written", null).CountNodes());
    }

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void RoundTrip_BackendCase_OutputsIdentical(string id)
    {
        if (!SharedModels.Available)
        {
            SharedModels.Require("onnx-backend-tests");
        }

        var testCase = BackendTestCase.Load(id);
        var original = File.ReadAllBytes(testCase.ModelPath);
        var ir = OnnxModelReader.Read(testCase.ModelPath);
        var inputNames = ir.Graph.Inputs.Where(i => i.Initializer is null).Select(i => i.Name).ToList();
        var inputs = inputNames.Zip(testCase.Inputs).ToDictionary(p => p.First, p => p.Second);

        AssertSameOutputs(original, OnnxModelWriter.ToBytes(ir), inputs);
    }

    private static void AssertSameOutputs(byte[] original, byte[] written, IReadOnlyDictionary<string, Tensor> inputs)
    {
        using var before = ModelSession.Create(original, Unoptimised);
        using var after = ModelSession.Create(written, Unoptimised);
        Assert.Equal(before.OutputNames, after.OutputNames);
        var expected = before.Run(inputs);
        var actual = after.Run(inputs);
        foreach (var (name, tensor) in expected)
        {
            Assert.True(tensor.ContentEquals(actual[name]), $"output '{name}' differs after the round trip: {tensor} vs {actual[name]}");
        }
    }
}
