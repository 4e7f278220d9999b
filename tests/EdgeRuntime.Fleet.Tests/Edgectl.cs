using System.CommandLine;
using System.Text;
using EdgeRuntime.Fleet.Cli;

namespace EdgeRuntime.Fleet.Tests;

/// <summary>Runs edgectl in-process with captured output, as a user would run it.</summary>
internal static class Edgectl
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, CancellationToken cancellationToken = default, StringWriter? liveOutput = null)
    {
        var output = liveOutput ?? new StringWriter(new StringBuilder());
        var error = new StringWriter();
        var exit = await EdgectlCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}

/// <summary>A StringWriter that other threads may read while edgectl writes to it.</summary>
internal sealed class SynchronizedStringWriter : StringWriter
{
    private readonly Lock _gate = new();

    public override void Write(char value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return base.ToString();
        }
    }
}
