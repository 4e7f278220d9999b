using System.CommandLine;

namespace EdgeRuntime.Fleet.Cli;

/// <summary>
/// <c>--signing-key</c>: the fleet's private key from <c>edgectl keys create</c>, which deploy, rollback and publish
/// sign with. Until 0.1 these verbs called it <c>--key</c>, which now names the TLS client certificate's key as in
/// mosquitto_pub; the old spelling still works, with a deprecation line, where it cannot mean the TLS key (no
/// <c>--cert</c> beside it).
/// </summary>
internal sealed class SigningKeyArgument
{
    /// <summary>The deprecation line on stderr.</summary>
    public const string DeprecationLine = "edgectl: --key for the signing key is deprecated; use --signing-key (--key now names the key of the TLS client certificate, --cert)";

    public Option<string?> Option { get; } = new("--signing-key") { Description = "Private key file from 'edgectl keys create' to sign with" };

    /// <summary>Whether the parsed verb has a signing key option (so a lone --key may be its old spelling).</summary>
    public static bool IsDeclaredOn(ParseResult parseResult) =>
        parseResult.CommandResult.Command.Options.Any(o => o.Name == "--signing-key");

    public void AddTo(Command command) => command.Add(Option);

    /// <summary>
    /// The signing key's path: <c>--signing-key</c>, else a lone <c>--key</c> (deprecated, says so on
    /// <paramref name="error"/>). Null and a one-line <paramref name="problem"/> when there is none.
    /// </summary>
    public string? Read(ParseResult parseResult, BrokerArguments broker, TextWriter error, out string? problem)
    {
        problem = null;
        if (parseResult.GetValue(Option) is { Length: > 0 } path)
        {
            return path;
        }

        var key = parseResult.GetValue(broker.KeyFile);
        if (key is { Length: > 0 } && parseResult.GetValue(broker.CertificateFile) is null)
        {
            error.WriteLine(DeprecationLine);
            return key;
        }

        problem = key is null
            ? "--signing-key is required (the private key from 'edgectl keys create')"
            : "--signing-key is required: with --cert, --key is the TLS client certificate's key";
        return null;
    }
}
