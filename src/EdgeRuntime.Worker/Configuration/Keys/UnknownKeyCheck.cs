using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace EdgeRuntime.Worker.Configuration.Keys;

/// <summary>
/// Finds configuration keys the daemon does not read — a misspelt <c>EDGE_Mqtt__Sever</c> would otherwise be ignored
/// and the device run on its embedded broker, online to nobody — and values that do not convert to their key's type.
/// Each problem is one line naming where the key came from (the variable, the option or the file), the key, and the
/// nearest key the daemon knows or the form the value must take.
/// </summary>
/// <remarks>
/// Values are checked here, before binding, because the configuration binder drops a list element whose value does
/// not convert without a word: <c>EDGE_Pipelines__0__Sources__0__Loops__Interval=5min</c> removed the whole source, and
/// the daemon said "a pipeline needs at least one source". Outside lists the binder's own message named the .NET type
/// ("to type 'System.Int32'") rather than what to write.
/// </remarks>
internal static class UnknownKeyCheck
{
    /// <summary>One line per unknown key or unconvertible value in <paramref name="configuration"/>'s providers, in provider order.</summary>
    public static IReadOnlyList<string> Problems(IConfigurationRoot configuration, KeyNode schema)
    {
        var problems = new List<string>();
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Only what people write: files, EDGE_ variables, the command line (the host's own in-memory defaults are code).
        foreach (var provider in configuration.Providers.Where(p => p is JsonConfigurationProvider or EnvironmentVariablesConfigurationProvider or CommandLineConfigurationProvider))
        {
            foreach (var key in AllKeys(provider, null))
            {
                if (Check(schema, key, out var leaf) is not { } unknown)
                {
                    // The host adds the command line twice (its own settings, then the app's): one line per value.
                    if (leaf is not null && provider.TryGet(key, out var value) && ValueProblem(leaf, key, value) is { } problem && reported.Add($"{From(provider, key)}|{key}"))
                    {
                        problems.Add($"{key}: {problem} (set {From(provider, key)})");
                    }

                    continue;
                }

                if (!reported.Add($"{Describe(provider, unknown.Path)}|{unknown.Path}"))
                {
                    continue;
                }

                problems.Add($"{Describe(provider, unknown.Path)}: {unknown.Reason}");
            }
        }

        return problems;
    }

    /// <summary>
    /// Why <paramref name="value"/> cannot stand at <paramref name="key"/>: a value where a list or a section belongs
    /// (the binder ignores it without a word: <c>EDGE_Delivery__TrustedKeys=fleet.pub</c> left no key trusted), or
    /// one that does not convert (<see cref="ValueProblem(Type, string?)"/>). JSON's <c>[]</c> and <c>{}</c> arrive as
    /// empty values and are fine.
    /// </summary>
    private static string? ValueProblem(KeyNode node, string key, string? value)
    {
        if (node.ValueType is { } type)
        {
            return ValueProblem(type, value);
        }

        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (node.Element is not null)
        {
            return $"'{value}' is a value, but {key} is a list: write its entries as {key}:0, {key}:1, …";
        }

        if (node.AnyKey is not null || node.Children.Count > 0)
        {
            return $"'{value}' is a value, but {key} is a section: write its keys below it ({string.Join(", ", node.Children.Keys.Take(3).Select(k => $"{key}:{k}"))}{(node.Children.Count > 3 ? ", …" : string.Empty)})".Replace(" ()", string.Empty, StringComparison.Ordinal);
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="value"/> does not convert to <paramref name="type"/> the way the configuration binder converts
    /// it (its type converter, invariant culture), in the words of what to write; null when it converts. Also refused:
    /// an empty value for a type that cannot be null, and a bare number for a duration (TimeSpan reads it as days).
    /// </summary>
    internal static string? ValueProblem(Type type, string? value)
    {
        var nullable = Nullable.GetUnderlyingType(type) is not null;
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type == typeof(object))
        {
            return null;
        }

        if (string.IsNullOrEmpty(value))
        {
            // The binder turns an empty value into null for int? and the like, and fails for int (inside a list, by
            // dropping the whole entry).
            return nullable ? null : $"is empty; give {(type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}" : Expected(type))}, or unset it to keep the default";
        }

        if (type.IsEnum)
        {
            return Enum.TryParse(type, value, ignoreCase: true, out var parsed) && (Enum.IsDefined(type, parsed!) || type.IsDefined(typeof(FlagsAttribute), false))
                ? null
                : $"'{value}' is unknown; allowed: {string.Join(", ", Enum.GetNames(type))}";
        }

        if (type == typeof(TimeSpan) && !value.Contains(':', StringComparison.Ordinal) && double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            // TimeSpan reads a bare number as days: "60" meant as seconds is two months, which passes every range check
            // a minimum gives and then fails the first timer.
            return $"'{value}' would be {value} days; write a duration as [d.]hh:mm:ss[.fff], e.g. 00:01:00 for a minute (1.00:00:00 for a day)";
        }

        try
        {
            _ = System.ComponentModel.TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return null;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException || ex.InnerException is FormatException or OverflowException)
        {
            return $"'{value}' is not {Expected(type)}";
        }
    }

    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
        _ when type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte) => "a whole number of zero or more",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number (a point for decimals, e.g. 0.5)",
        _ when type == typeof(TimeSpan) => "a duration: [d.]hh:mm:ss[.fff], e.g. 00:05:00 for five minutes",
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time, e.g. 2026-01-05T07:45:00+00:00",
        _ when type == typeof(Uri) => "a URI",
        _ => $"a {type.Name}",
    };

    /// <summary>
    /// Where the value the daemon uses for <paramref name="key"/> (such as <c>Batching:MaxBatch</c>) was written, as
    /// "set by EDGE_Batching__MaxBatch", "set by --Batching:MaxBatch" or "set in /etc/edge-runtime/site.json"; null
    /// when nobody wrote it (the daemon's default, in code or in the shipped <c>configs/*.json</c>). The last provider
    /// that has the key wins, as in binding.
    /// </summary>
    public static string? Origin(IConfigurationRoot configuration, string key)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var provider = configuration.Providers
            .Where(p => p is JsonConfigurationProvider or EnvironmentVariablesConfigurationProvider or CommandLineConfigurationProvider)
            .LastOrDefault(p => p.TryGet(key, out _));
        return provider is null || ConfigurationLayers.IsShippedDefault(provider) ? null : $"set {From(provider, key)}";
    }

    /// <summary>Where a value came from, after "set": "by EDGE_X__Y", "by --X:Y", "in /path/file.json".</summary>
    private static string From(IConfigurationProvider provider, string path) => provider switch
    {
        JsonConfigurationProvider json => $"in {FilePath(json)}",
        _ => $"by {Describe(provider, path)}",
    };

    /// <summary>Where the key came from, as the user wrote it.</summary>
    private static string Describe(IConfigurationProvider provider, string path) => provider switch
    {
        EnvironmentVariablesConfigurationProvider => $"{ConfigurationLayers.EnvironmentPrefix}{path.Replace(":", "__", StringComparison.Ordinal)}",
        CommandLineConfigurationProvider => $"--{path}",
        JsonConfigurationProvider json => $"{FilePath(json)}: {path}",
        _ => path,
    };

    private static string? FilePath(JsonConfigurationProvider json) =>
        json.Source.FileProvider?.GetFileInfo(json.Source.Path ?? string.Empty).PhysicalPath ?? json.Source.Path;

    private static (string Path, string Reason)? Check(KeyNode schema, string key, out KeyNode? leaf)
    {
        leaf = null;
        var segments = key.Split(':');
        var node = schema;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var parent = string.Join(':', segments[..i]);
            var path = string.Join(':', segments[..(i + 1)]);
            if (node.FreeForm)
            {
                return null;
            }

            if (node.Children.TryGetValue(segment, out var child))
            {
                node = child;
                continue;
            }

            if (node.Element is not null)
            {
                if (!int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    return (path, $"unknown key; {parent} is a list, its entries are numbered ({Join(parent, "0")}, {Join(parent, "1")}, …)");
                }

                node = node.Element;
                continue;
            }

            if (node.AnyKey is not null)
            {
                node = node.AnyKey;
                continue;
            }

            if (node.IsValue && i > 0)
            {
                return (path, $"unknown key; {parent} takes a value, not keys below it");
            }

            var nearest = Nearest(segment, node.Children.Keys);
            return (path, nearest is null
                ? "unknown key"
                : $"unknown key; did you mean {Join(parent, nearest)}?");
        }

        leaf = node;
        return null;
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}:{name}";

    /// <summary>The known name closest to <paramref name="name"/> by edit distance (case-insensitive), ties to the shorter.</summary>
    internal static string? Nearest(string name, IEnumerable<string> known) =>
        known.OrderBy(k => EditDistance(name.ToUpperInvariant(), k.ToUpperInvariant())).ThenBy(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).FirstOrDefault();

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>Every key that holds a value in <paramref name="provider"/> (leaves and sections alike).</summary>
    private static IEnumerable<string> AllKeys(IConfigurationProvider provider, string? parent)
    {
        foreach (var key in provider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase).ToList())
        {
            var path = parent is null ? key : $"{parent}:{key}";
            var children = AllKeys(provider, path).ToList();
            if (children.Count == 0)
            {
                yield return path;
            }

            foreach (var child in children)
            {
                yield return child;
            }
        }
    }
}
