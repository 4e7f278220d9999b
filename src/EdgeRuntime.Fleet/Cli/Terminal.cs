using Spectre.Console;

namespace EdgeRuntime.Fleet.Cli;

/// <summary>
/// Spectre.Console consoles over a verb's output writer. On a terminal: colours and the terminal's width (tables wrap
/// their cells to fit). Redirected (a pipe, a file, a test): no escape codes and a wide page, so each table row stays
/// one line that grep and awk can read.
/// </summary>
internal static class Terminal
{
    /// <summary>Width used when the output is not a terminal.</summary>
    public const int RedirectedWidth = 400;

    /// <summary>Whether <paramref name="writer"/> is this process's own stdout or stderr on a terminal.</summary>
    public static bool IsInteractive(TextWriter writer) =>
        (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected) || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);

    /// <summary>A console writing to <paramref name="writer"/>.</summary>
    public static IAnsiConsole For(TextWriter writer)
    {
        var interactive = IsInteractive(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!interactive)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>A table without borders (columns separated by two spaces, headers in capitals), as kubectl prints them.</summary>
    public static Table PlainTable(params string[] headers)
    {
        var table = new Table { Border = TableBorder.None, ShowHeaders = true };
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)) { Padding = new Padding(0, 0, 2, 0) });
        }

        return table;
    }

    /// <summary>Renders <paramref name="renderable"/> to plain text <paramref name="width"/> columns wide, lines trimmed at the end.</summary>
    public static string Render(Spectre.Console.Rendering.IRenderable renderable, int width = RedirectedWidth)
    {
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        console.Write(renderable);
        return string.Join('\n', text.ToString().ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd())).TrimEnd('\n') + "\n";
    }
}
