using System.Text.RegularExpressions;

namespace EdgeRuntime.Worker.Tests.Docs;

/// <summary>
/// docs/security.md maps each threat line to the tests that cover it: every line of the fleet-security work has a table,
/// and every test it names exists in the test sources (a renamed or deleted test fails here, not in a reader's hands).
/// </summary>
public sealed partial class SecurityDocumentTests
{
    private const string ThreatLinesHeading = "## Threat lines and the tests that cover them";

    private static readonly string[] Lines =
    [
        "Commands: replay",
        "Manifests bound to their topic and targets",
        "Freshness and anti-rollback",
        "Clock",
        "Caps: packet size",
        "Device identity",
        "Embedded broker access",
    ];

    private static readonly string Root = TestEnvironment.RepositoryRoot;

    [Fact]
    public void ThreatLines_EachLineOfTheWork_HasATableThatNamesTests()
    {
        var tables = ThreatTables();

        Assert.Equal(Lines, tables.Keys);
        foreach (var (line, names) in tables)
        {
            Assert.True(names.Count > 0, $"security.md: the table for '{line}' names no test");
        }
    }

    [Fact]
    public void ThreatLines_EveryNamedTest_ExistsInTheTestSources()
    {
        var missing = ThreatTables().Values.SelectMany(names => names).Distinct().Where(name => !Exists(name)).ToList();

        Assert.True(missing.Count == 0, $"security.md names tests that do not exist: {string.Join(", ", missing)}");
    }

    [Fact]
    public void SecurityDocument_IsTheOnlyOne_AndTheReadmeLinksIt()
    {
        Assert.Equal(["security.md"], Directory.GetFiles(Path.Combine(Root, "docs"), "security*.md").Select(Path.GetFileName));
        Assert.Contains("(docs/security.md)", File.ReadAllText(Path.Combine(Root, "README.md")), StringComparison.Ordinal);
    }

    /// <summary>The threat-line tables, by their heading: the test names in each table's last column.</summary>
    private static Dictionary<string, List<string>> ThreatTables()
    {
        var text = File.ReadAllText(Path.Combine(Root, "docs", "security.md"));
        var start = text.IndexOf(ThreatLinesHeading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"security.md has no '{ThreatLinesHeading}' section");

        var tables = new Dictionary<string, List<string>>();
        List<string>? current = null;
        foreach (var line in text[(start + ThreatLinesHeading.Length)..].Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                break;
            }

            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                current = [];
                tables.Add(line[4..].Trim(), current);
            }
            else if (current is not null && line.StartsWith('|') && !line.StartsWith("| threat line", StringComparison.Ordinal) && !line.StartsWith("| ---", StringComparison.Ordinal))
            {
                var cells = line.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                current.AddRange(TestName().Matches(cells[^1]).Select(match => match.Groups[1].Value));
            }
        }

        return tables;
    }

    /// <summary><c>Project.Tests.Folder….Class.Method</c> (or <c>.*</c>): the class's file holds that test method.</summary>
    private static bool Exists(string name)
    {
        var parts = name.Split('.');
        if (parts.Length < 4 || parts[1] != "Tests")
        {
            return false;
        }

        var folders = parts[2..^2];
        var file = Path.Combine([Root, "tests", $"EdgeRuntime.{parts[0]}.Tests", .. folders, $"{parts[^2]}.cs"]);
        if (!File.Exists(file))
        {
            return false;
        }

        var source = File.ReadAllText(file);
        return parts[^1] == "*"
            ? source.Contains("[Fact", StringComparison.Ordinal) || source.Contains("[Theory", StringComparison.Ordinal)
            : Regex.IsMatch(source, $@"public (async Task|Task|void) {Regex.Escape(parts[^1])}\(");
    }

    [GeneratedRegex(@"`([A-Z][A-Za-z]*\.Tests\.[A-Za-z0-9_.]+?(?:\.\*)?)`")]
    private static partial Regex TestName();
}
