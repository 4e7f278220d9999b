using System.CommandLine;
using EdgeRuntime.Fleet.Cli;

namespace EdgeRuntime.Fleet.Tests.Cli;

/// <summary>Checks over every verb of edgectl at once, so a new verb cannot bring back a kind of mistake.</summary>
public sealed class CommandTreeTests
{
    public static TheoryData<string> Verbs()
    {
        var verbs = new TheoryData<string>();
        foreach (var (path, _) in Commands(EdgectlCommand.Create(), "edgectl"))
        {
            verbs.Add(path);
        }

        return verbs;
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void EveryVerb_EachOptionNameOnce(string verb)
    {
        // `edgectl aggregator` had two `--state` options (its own folder, and the broker arguments' daemon state
        // directory): the help listed both, and one value went to both.
        var command = Commands(EdgectlCommand.Create(), "edgectl").Single(c => c.Path == verb).Command;
        var names = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).ToList();

        var repeated = names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.True(repeated.Count == 0, $"{verb}: {string.Join(", ", repeated)} named by more than one option");
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void EveryVerb_NoOptionNameAlsoNamedByAnAncestorsRecursiveOption(string verb)
    {
        // A recursive option of a parent (the root's help, say) applies to every verb under it: a verb's own option
        // with one of its names would be ambiguous to the parser and the help.
        var root = EdgectlCommand.Create();
        var command = Commands(root, "edgectl").Single(c => c.Path == verb).Command;
        var inherited = new List<string>();
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            inherited.AddRange(parent.Options.Where(o => o.Recursive).SelectMany(o => o.Aliases.Prepend(o.Name)));
        }

        var own = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name));
        var clashes = own.Intersect(inherited, StringComparer.Ordinal).ToList();

        Assert.True(clashes.Count == 0, $"{verb}: {string.Join(", ", clashes)} also named by a recursive option of a parent");
    }

    private static IEnumerable<(string Path, Command Command)> Commands(Command command, string path)
    {
        yield return (path, command);
        foreach (var child in command.Subcommands)
        {
            foreach (var nested in Commands(child, $"{path} {child.Name}"))
            {
                yield return nested;
            }
        }
    }
}
