using EdgeRuntime.Worker.Configuration;

namespace EdgeRuntime.Worker.Tests.Configuration;

public sealed class EdgeRuntimeOptionsSetupTests
{
    [Fact]
    public void DefaultStateDirectory_Terminal_StateUnderWorkingDirectory() =>
        Assert.Equal(Path.GetFullPath("state"), EdgeRuntimeOptionsSetup.DefaultStateDirectory(underSystemd: false, systemdStateDirectory: "/ignored"));

    [Fact]
    public void DefaultStateDirectory_SystemdWithStateDirectory_UsesFirstEntry() =>
        Assert.Equal("/var/lib/edge-runtime", EdgeRuntimeOptionsSetup.DefaultStateDirectory(underSystemd: true, systemdStateDirectory: "/var/lib/edge-runtime:/var/lib/other"));

    [Fact]
    public void DefaultStateDirectory_SystemdWithoutStateDirectory_VarLib() =>
        Assert.Equal("/var/lib/edge-runtime", EdgeRuntimeOptionsSetup.DefaultStateDirectory(underSystemd: true, systemdStateDirectory: null));

    [Fact]
    public void PostConfigure_NothingConfigured_MachineIdAndStateDirectoryFilledIn()
    {
        var options = new EdgeRuntimeOptions();
        new EdgeRuntimeOptionsSetup().PostConfigure(null, options);
        Assert.True(Core.Devices.DeviceId.IsValid(options.DeviceId));
        Assert.False(string.IsNullOrEmpty(options.StateDirectory));
    }

    [Fact]
    public void Validate_DeviceIdWithSlash_NamesKeyValueAndRule()
    {
        var result = new EdgeRuntimeOptionsValidator().Validate(null, new EdgeRuntimeOptions { DeviceId = "lane/1", StateDirectory = "/tmp" });
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("DeviceId: 'lane/1' is not usable as a topic level; allowed:", failure, StringComparison.Ordinal);
    }
}
