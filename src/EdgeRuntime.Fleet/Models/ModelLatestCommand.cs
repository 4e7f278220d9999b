using System.CommandLine;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Fleet.Status;
using EdgeRuntime.Messaging.Connection;

namespace EdgeRuntime.Fleet.Models;

/// <summary>
/// <c>edgectl model latest</c>: re-sign the short-lived statement that names each model's latest manifest. Devices
/// install from a model's latest topic only while that statement is fresh, so the fleet runs this on a schedule well
/// within its lifetime — once (from cron or a systemd timer) or with <c>--every</c> as a long-running loop.
/// </summary>
internal static class ModelLatestCommand
{
    public static Command Create(TimeProvider timeProvider)
    {
        var broker = new BrokerArguments();
        var names = new Option<string[]>("--name", "-n") { Description = "Model whose latest statement to re-sign (repeat for more)", Required = true };
        var signingKey = new SigningKeyArgument();
        var lifetime = new Option<string>("--lifetime") { Description = "How long the new statement stands (e.g. 1d, 6h)", DefaultValueFactory = _ => "1d" };
        var every = new Option<string?>("--every") { Description = "Keep running and re-sign this often (e.g. 6h; well within --lifetime)" };
        var pinned = new Option<long?>("--version", "-V") { Description = "Vouch only for this version (with one --name); default: whatever is on the latest topic, unless older than what the last statement named" };

        var command = new Command("latest", "Re-sign the signed statement naming each model's latest manifest (devices install a latest only while it is fresh)");
        command.Add(names);
        signingKey.AddTo(command);
        command.Add(lifetime);
        command.Add(every);
        command.Add(pinned);
        broker.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var validity = ArgumentParsers.Duration(parseResult.GetValue(lifetime)!, out var lifetimeProblem);
            TimeSpan? period = null;
            string? periodProblem = null;
            if (parseResult.GetValue(every) is { } text)
            {
                period = ArgumentParsers.Duration(text, out periodProblem);
                periodProblem ??= period >= validity ? $"--every {text} is not shorter than --lifetime: statements would lapse between runs" : null;
            }

            periodProblem ??= parseResult.GetValue(pinned) is not null && parseResult.GetValue(names)!.Length != 1 ? "--version goes with a single --name" : null;
            if (validity is null || periodProblem is not null)
            {
                await error.WriteLineAsync($"edgectl model latest: {lifetimeProblem ?? periodProblem}");
                return 2;
            }

            var keyPath = signingKey.Read(parseResult, broker, error, out var keyProblem);
            if (keyPath is null)
            {
                await error.WriteLineAsync($"edgectl model latest: {keyProblem}");
                return 2;
            }

            try
            {
                using var key = SigningKey.Load(keyPath);
                await using var connected = await ConnectedBroker.ConnectAsync(broker, parseResult, timeProvider, cancellationToken);
                var publisher = new LatestStatementPublisher(connected.Connection, connected.Topics, timeProvider);
                while (true)
                {
                    var failed = 0;
                    foreach (var name in parseResult.GetValue(names)!)
                    {
                        try
                        {
                            var statement = await publisher.ResignAsync(name, key, validity.Value, cancellationToken, parseResult.GetValue(pinned));
                            await output.WriteLineAsync($"{name}: latest statement for v{statement.Version} signed, valid until {statement.ExpiresAt:u}");
                        }
                        catch (Exception ex) when (ex is InvalidOperationException or IncompletePublishException)
                        {
                            failed++;
                            await error.WriteLineAsync($"edgectl model latest: {ex.Message}");
                        }
                    }

                    if (period is not { } wait)
                    {
                        return failed == 0 ? 0 : 1;
                    }

                    await Task.Delay(wait, timeProvider, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
            catch (Exception ex) when (ex is SigningKeyException or ArgumentException or IOException or BrokerUnreachableException or PublishRejectedException or OutgoingQueueFullException)
            {
                await error.WriteLineAsync($"edgectl model latest: {ex.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return command;
    }
}
