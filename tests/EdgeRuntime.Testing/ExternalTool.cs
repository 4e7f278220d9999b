namespace EdgeRuntime.Testing;

/// <summary>Finds programs on PATH that tests drive (mosquitto, mosquitto_sub, mosquitto_pub).</summary>
public static class ExternalTool
{
    /// <summary>The full path of <paramref name="name"/>, or null when it is not installed.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator).Append("/usr/sbin").Append("/usr/bin"))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The full path of <paramref name="name"/>; skips the test (fails it under CI) when it is missing.</summary>
    public static string Require(string name)
    {
        var found = Find(name);
        if (found is null)
        {
            TestEnvironment.SkipOrFail($"'{name}' is not installed (apt-get install -y mosquitto mosquitto-clients)");
        }

        return found!;
    }
}
