using Microsoft.Extensions.Configuration;

namespace EdgeRuntime.Worker.Configuration;

/// <summary>
/// Where configuration comes from, later layers winning:
/// <list type="number">
/// <item>the shipped defaults, <c>configs/*.json</c> next to the binary (alphabetical);</item>
/// <item>the site's files, <c>*.json</c> in <c>ConfigDirectory</c> (set by <c>EDGE_ConfigDirectory</c> or
/// <c>--ConfigDirectory</c>; the systemd unit uses /etc/edge-runtime);</item>
/// <item>environment variables with the <c>EDGE_</c> prefix (<c>EDGE_Mqtt__Server=host:1883</c>);</item>
/// <item>the command line (<c>--Mqtt:Server host:1883</c>).</item>
/// </list>
/// </summary>
public static class ConfigurationLayers
{
    /// <summary>The environment variable prefix.</summary>
    public const string EnvironmentPrefix = "EDGE_";

    /// <summary>The key naming an extra directory of JSON files.</summary>
    public const string ConfigDirectoryKey = "ConfigDirectory";

    /// <summary>Adds every layer to <paramref name="configuration"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">ConfigDirectory names a directory that does not exist.</exception>
    public static void AddEdgeRuntimeLayers(this IConfigurationBuilder configuration, string[] args, string shippedDirectory)
    {
        AddJsonFiles(configuration, shippedDirectory, required: false);

        var early = new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).AddCommandLine(args).Build();
        if (early[ConfigDirectoryKey] is { Length: > 0 } siteDirectory)
        {
            AddJsonFiles(configuration, siteDirectory, required: true);
        }

        configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configuration.AddCommandLine(args);
    }

    /// <summary>Whether <paramref name="provider"/> reads one of the shipped default files (not the site's).</summary>
    public static bool IsShippedDefault(IConfigurationProvider provider) =>
        provider is Microsoft.Extensions.Configuration.Json.JsonConfigurationProvider { Source.Optional: true };

    private static void AddJsonFiles(IConfigurationBuilder configuration, string directory, bool required)
    {
        if (!Directory.Exists(directory))
        {
            if (required)
            {
                throw new DirectoryNotFoundException($"{ConfigDirectoryKey}: '{directory}' does not exist");
            }

            return;
        }

        foreach (var file in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            // The shipped defaults are added as optional sources, the site's as required: that flag is also how a
            // configuration error tells a default (no "set in …") from a value someone wrote (IsShippedDefault).
            configuration.AddJsonFile(file, optional: !required, reloadOnChange: false);
        }
    }
}
