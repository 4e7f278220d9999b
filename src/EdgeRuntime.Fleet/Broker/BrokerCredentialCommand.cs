using System.CommandLine;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Messaging.Broker;

namespace EdgeRuntime.Fleet.Broker;

/// <summary>
/// <c>edgectl broker-credential</c>: prints the local credential of a daemon's embedded broker on this machine as
/// mosquitto_sub and mosquitto_pub take it, <c>-u local -P PASSWORD</c>, for <c>mosquitto_sub $(edgectl
/// broker-credential) -t …</c>. The state directory is found as for every verb (<see cref="LocalBrokerLogin"/>).
/// </summary>
internal static class BrokerCredentialCommand
{
    public static Command Create()
    {
        var state = new Option<string?>("--state") { Description = "The daemon's state directory (default: the first of $EDGE_StateDirectory, ./state, /var/lib/edge-runtime that has a credential)" };
        var command = new Command("broker-credential", "Print the embedded broker's local login as mosquitto_sub/pub options: -u local -P PASSWORD") { state };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var directory = parseResult.GetValue(state);
            var file = LocalBrokerLogin.FindPasswordFile(directory, out var unreadable);
            if (file is null)
            {
                var looked = string.Join(", ", LocalBrokerLogin.Candidates(directory).Select(LocalBrokerCredential.PasswordFile));
                await error.WriteLineAsync(unreadable is not null
                    ? $"edgectl broker-credential: {unreadable} is not readable by this user (run as root or as a member of the service's group edge-runtime)"
                    : $"edgectl broker-credential: no embedded broker credential found (looked for {looked}); has the daemon started with its embedded broker? --state names its state directory");
                return 1;
            }

            var credential = LocalBrokerCredential.Load(file);
            await output.WriteLineAsync($"-u {credential.Username} -P {credential.Password}");
            return 0;
        });
        return command;
    }
}
