using System.Globalization;

namespace EdgeRuntime.Fleet.Cli;

/// <summary>Parses the human forms verbs accept for durations and sizes.</summary>
internal static class ArgumentParsers
{
    /// <summary>A duration like <c>30d</c>, <c>12h</c>, <c>90m</c> or <c>45s</c>.</summary>
    public static TimeSpan? Duration(string text, out string? problem)
    {
        problem = null;
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            TimeSpan? result = text[^1] switch
            {
                'd' => TimeSpan.FromDays(amount),
                'h' => TimeSpan.FromHours(amount),
                'm' => TimeSpan.FromMinutes(amount),
                's' => TimeSpan.FromSeconds(amount),
                _ => null,
            };
            if (result is not null)
            {
                return result;
            }
        }

        problem = $"'{text}' is not a duration; use a positive number followed by d, h, m or s (e.g. 30d)";
        return null;
    }

    /// <summary>A byte count like <c>262144</c>, <c>256KiB</c>, <c>1MiB</c> (also KB/MB, same powers of 1024).</summary>
    public static long? Size(string text, out string? problem)
    {
        problem = null;
        var units = new (string Suffix, long Factor)[] { ("KiB", 1024), ("MiB", 1024 * 1024), ("KB", 1024), ("MB", 1024 * 1024), ("K", 1024), ("M", 1024 * 1024), (string.Empty, 1) };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) &&
                long.TryParse(text[..^suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount > 0)
            {
                return amount * factor;
            }
        }

        problem = $"'{text}' is not a size; use bytes or a number followed by KiB or MiB (e.g. 256KiB)";
        return null;
    }
}
