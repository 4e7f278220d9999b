using EdgeRuntime.Worker.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeRuntime.Worker.Tests.Configuration;

[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ConfigurationLayersTests : IDisposable
{
    private readonly string _shipped = Directory.CreateTempSubdirectory("edge-shipped-").FullName;
    private readonly string _site = Directory.CreateTempSubdirectory("edge-site-").FullName;

    public void Dispose()
    {
        Directory.Delete(_shipped, recursive: true);
        Directory.Delete(_site, recursive: true);
    }

    private IConfigurationRoot Build(params string[] args)
    {
        var builder = new ConfigurationBuilder();
        builder.AddEdgeRuntimeLayers(args, _shipped);
        return builder.Build();
    }

    [Fact]
    public void Layers_SiteFilesOverrideShippedAndCommandLineOverridesAll()
    {
        File.WriteAllText(Path.Combine(_shipped, "edge-runtime.json"), """{ "Mqtt": { "Server": "", "EmbeddedPort": 1883, "TopicRoot": "edge" } }""");
        File.WriteAllText(Path.Combine(_site, "10-site.json"), """{ "Mqtt": { "Server": "broker.site:1883", "EmbeddedPort": 2883 } }""");
        File.WriteAllText(Path.Combine(_site, "20-override.json"), """{ "Mqtt": { "EmbeddedPort": 3883 } }""");

        var configuration = Build("--ConfigDirectory", _site, "--Mqtt:Server", "cli.broker:1883");

        Assert.Equal("cli.broker:1883", configuration["Mqtt:Server"]);
        Assert.Equal("3883", configuration["Mqtt:EmbeddedPort"]);
        Assert.Equal("edge", configuration["Mqtt:TopicRoot"]);
    }

    [Fact]
    public void Layers_EnvironmentPrefixedVariables_OverrideFiles()
    {
        // A key no other test uses; the unknown-key check, which reads every EDGE_ variable, runs apart (the collection).
        var key = $"LayerTest{Guid.NewGuid():N}";
        File.WriteAllText(Path.Combine(_shipped, "edge-runtime.json"), $$"""{ "{{key}}": { "Value": "file" } }""");
        Environment.SetEnvironmentVariable($"EDGE_{key}__Value", "environment");
        try
        {
            Assert.Equal("environment", Build()[$"{key}:Value"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable($"EDGE_{key}__Value", null);
        }
    }

    [Fact]
    public void Layers_ConfigDirectoryMissing_ErrorNamesKeyAndPath()
    {
        var ex = Assert.Throws<DirectoryNotFoundException>(() => Build("--ConfigDirectory", "/nonexistent/edge"));
        Assert.Equal("ConfigDirectory: '/nonexistent/edge' does not exist", ex.Message);
    }

    [Fact]
    public void Layers_ShippedDefaultsOfTheRepository_ParseAndUseEmbeddedBroker()
    {
        var builder = new ConfigurationBuilder();
        builder.AddEdgeRuntimeLayers([], Path.Combine(TestEnvironment.RepositoryRoot, "configs"));
        var configuration = builder.Build();
        Assert.Equal(string.Empty, configuration["Mqtt:Server"]);
        Assert.Equal("1883", configuration["Mqtt:EmbeddedPort"]);
    }
}
