using EdgeRuntime.Testing.Mqtt;
using EdgeRuntime.Testing.Processes;

namespace EdgeRuntime.Worker.Tests.Deploy;

/// <summary>
/// The deployment files as a host would take them: the systemd unit with the group drop-in install.sh writes for this
/// host (which has no gpio or render group), and the Dockerfile's build and health check. The Dockerfile's restore and
/// publish themselves run in deploy/docker-build-steps.sh (minutes for linux-arm64; not part of the suite).
/// </summary>
public sealed class DeployArtifactsTests : IDisposable
{
    private static readonly string Deploy = Path.Combine(TestEnvironment.RepositoryRoot, "deploy");
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-unit-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task SystemdUnit_WithThisHostsGroupDropIn_VerifiesWithoutWarnings()
    {
        var analyze = ExternalTool.Require("systemd-analyze");

        // The unit as install.sh installs it (prefix rewritten to where the built daemon is), with its groups drop-in.
        var daemon = Path.GetDirectoryName(EdgeRuntimeBinaries.Daemon)!;
        Assert.True(File.Exists(Path.Combine(daemon, "edge-runtime")), "the daemon's executable is built");
        var unit = (await File.ReadAllTextAsync(Path.Combine(Deploy, "systemd", "edge-runtime.service"), TestContext.Current.CancellationToken)).Replace("/opt/edge-runtime", daemon, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(_folder, "edge-runtime.service"), unit, TestContext.Current.CancellationToken);
        var dropIns = Directory.CreateDirectory(Path.Combine(_folder, "edge-runtime.service.d")).FullName;
        var (groupsExit, groups) = await RunAsync("bash", Path.Combine(Deploy, "install.sh"), "--print-groups");
        Assert.Equal(0, groupsExit);
        await File.WriteAllTextAsync(Path.Combine(dropIns, "groups.conf"), groups, TestContext.Current.CancellationToken);

        var (exit, output) = await RunAsync(analyze, "verify", Path.Combine(_folder, "edge-runtime.service"));

        Assert.True(exit == 0 && output.Length == 0, $"systemd-analyze verify: exit {exit}\n{output}");
    }

    [Fact]
    public async Task SystemdUnit_OptionalGroups_OnlyThoseThisHostHasAndNoneInTheUnit()
    {
        var unit = await File.ReadAllLinesAsync(Path.Combine(Deploy, "systemd", "edge-runtime.service"), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(unit, l => l.TrimStart().StartsWith("SupplementaryGroups=", StringComparison.Ordinal));

        var (exit, groups) = await RunAsync("bash", Path.Combine(Deploy, "install.sh"), "--print-groups");
        Assert.Equal(0, exit);
        string[] expected = [.. new[] { "gpio", "video", "render" }.Where(g => RunAsync("getent", "group", g).GetAwaiter().GetResult().Exit == 0)];
        var line = groups.Split('\n').SingleOrDefault(l => l.StartsWith("SupplementaryGroups=", StringComparison.Ordinal));
        Assert.Equal(expected, line is null ? [] : line["SupplementaryGroups=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Dockerfile_RestoresFromEveryProjectFile_AndChecksHealth()
    {
        var lines = (await File.ReadAllLinesAsync(Path.Combine(TestEnvironment.RepositoryRoot, "Dockerfile.arm64"), TestContext.Current.CancellationToken))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        // The restore sees every project file (the stage that keeps only them) before it runs, and the publish reuses it.
        var copyProjects = lines.FindIndex(l => l.StartsWith("COPY --from=projects ", StringComparison.Ordinal));
        var restore = lines.FindIndex(l => l.StartsWith("RUN dotnet restore ", StringComparison.Ordinal));
        var publish = lines.FindIndex(l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal));
        Assert.True(copyProjects >= 0 && copyProjects < restore && restore < publish, "COPY --from=projects, then restore, then publish");
        Assert.Contains("-r linux-arm64", lines[restore], StringComparison.Ordinal);
        Assert.Contains("--no-restore", lines[publish], StringComparison.Ordinal);

        // Both runtime targets probe the daemon's own health.
        Assert.Equal(2, lines.Count(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal) && l.Contains("\"/opt/edge-runtime/edge-runtime\", \"health\"", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(Deploy, "docker-build-steps.sh")));
    }

    [Fact]
    public async Task MosquittoExample_PacketLimit_IsTheDaemons_AndMosquittoEnforcesIt()
    {
        // The fleet broker and the devices agree on the largest packet: the shipped config's line, run by a real Mosquitto.
        var lines = await File.ReadAllLinesAsync(Path.Combine(Deploy, "mosquitto", "mosquitto.conf"), TestContext.Current.CancellationToken);
        var limit = Assert.Single(lines, l => l.StartsWith("max_packet_size ", StringComparison.Ordinal));
        Assert.Equal($"max_packet_size {Messaging.Configuration.MqttOptions.DefaultMaxPacketBytes}", limit);
        Assert.DoesNotContain(lines, l => l.StartsWith("message_size_limit", StringComparison.Ordinal));
        await using var broker = await MosquittoBroker.StartAsync([limit]);
        var oversized = Path.Combine(_folder, "oversized.bin");
        await File.WriteAllBytesAsync(oversized, new byte[2 << 20], TestContext.Current.CancellationToken);

        var (exit, output) = await MosquittoPublisher.TryPublishAsync(broker.Port, "edge/models/m/1/chunks/0", ["-V", "mqttv311", "-f", oversized]);

        Assert.True(exit != 0, $"Mosquitto took a 2 MiB message: {output}");
        Assert.Contains("disconnected due to oversize packet", broker.ReadLog(), StringComparison.Ordinal);
        var chunk = Path.Combine(_folder, "chunk.bin");
        await File.WriteAllBytesAsync(chunk, new byte[256 << 10], TestContext.Current.CancellationToken);
        var (chunkExit, chunkOutput) = await MosquittoPublisher.TryPublishAsync(broker.Port, "edge/models/m/1/chunks/0", ["-V", "mqttv311", "-f", chunk]);
        Assert.True(chunkExit == 0, $"a default 256 KiB chunk must pass: {chunkOutput}");
    }

    [Fact]
    public async Task InstallScript_DeviceIdAndBroker_GoToTheSiteEnvironment_ABadIdIsRefused()
    {
        var (exit, environment) = await RunAsync("bash", Path.Combine(Deploy, "install.sh"), "--print-env", "--broker", "mqtts://fleet.example.com:8883", "--device-id", "crossing-7");
        Assert.Equal(0, exit);
        Assert.Equal(["EDGE_Mqtt__Server=mqtts://fleet.example.com:8883", "EDGE_DeviceId=crossing-7"], environment.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var (badExit, bad) = await RunAsync("bash", Path.Combine(Deploy, "install.sh"), "--print-env", "--device-id", "crossing 7");
        Assert.Equal(2, badExit);
        Assert.Contains("allowed: 1-128 of A-Z a-z 0-9 . _ -", bad, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] arguments)
    {
        await using var process = ChildProcess.Start(file, arguments);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, string.Join('\n', process.StandardOutput.Concat(process.StandardError)));
    }
}
