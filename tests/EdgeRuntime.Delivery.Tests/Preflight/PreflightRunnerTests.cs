using EdgeRuntime.Delivery.Preflight;

namespace EdgeRuntime.Delivery.Tests.Preflight;

/// <summary>Pre-flight runs the daemon's real executable as a child process and watches it from here.</summary>
public sealed class PreflightRunnerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-preflight-").FullName;

    private static PreflightRunner Runner(long memoryMegabytes = 1024, double timeoutSeconds = 60) =>
        Runner(new PreflightCommand("dotnet", [EdgeRuntimeBinaries.Daemon, "preflight"]), memoryMegabytes, timeoutSeconds);

    private static PreflightRunner Runner(PreflightCommand command, long memoryMegabytes = 1024, double timeoutSeconds = 60) =>
        new(command, new PreflightLimits(memoryMegabytes << 20, TimeSpan.FromSeconds(timeoutSeconds), Runs: 2), TimeProvider.System, TestLogging.For<PreflightRunner>());

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task RunAsync_GoodModel_Passes()
    {
        var result = await Runner().RunAsync(Write("good.onnx", TestModels.Scale(2)), TestContext.Current.CancellationToken);
        Assert.True(result.Passed, result.Problem);
        Assert.Contains("\"ok\":true", result.Report, StringComparison.Ordinal);
        Assert.True(result.PeakMemoryBytes > 0);
    }

    [Fact]
    public async Task RunAsync_ModelThatBalloons_IsKilledAtTheMemoryLimit()
    {
        var result = await Runner(memoryMegabytes: 400).RunAsync(Write("bomb.onnx", TestModels.MemoryBomb()), TestContext.Current.CancellationToken);
        Assert.False(result.Passed);
        Assert.Contains("memory limit of 400 MB", result.Problem, StringComparison.Ordinal);
        Assert.True(result.PeakMemoryBytes > 400L << 20);
    }

    [Fact]
    public async Task RunAsync_ModelThatNeverFinishes_IsKilledAtTheTimeLimit()
    {
        var result = await Runner(timeoutSeconds: 5).RunAsync(Write("endless.onnx", TestModels.Endless()), TestContext.Current.CancellationToken);
        Assert.False(result.Passed);
        Assert.Contains("did not finish pre-flight within 5 s", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_FileThatIsNotAModel_FailsWithTheReadersReason()
    {
        var result = await Runner().RunAsync(Write("junk.onnx", "this is not protobuf"u8.ToArray()), TestContext.Current.CancellationToken);
        Assert.False(result.Passed);
        Assert.Contains("junk.onnx", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ChildKilledBySignal_IsReportedAsACrash()
    {
        // ONNX Runtime 1.31 answered every malformed model we tried with an error rather than a crash, so the crash
        // path is driven by a child that really dies of SIGSEGV.
        var segfault = new PreflightCommand("/bin/sh", ["-c", "kill -SEGV $$", "sh"]);
        var result = await Runner(segfault).RunAsync(Write("any.onnx", TestModels.Scale(1)), TestContext.Current.CancellationToken);
        Assert.False(result.Passed);
        Assert.Equal("crashed in pre-flight (SIGSEGV)", result.Problem);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
