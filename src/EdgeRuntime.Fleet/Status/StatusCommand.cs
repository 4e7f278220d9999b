using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeRuntime.Fleet.Cli;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Fleet.Status;

/// <summary><c>edgectl status</c>: every device's retained status as a table (or JSON), once or live.</summary>
internal static class StatusCommand
{
    /// <summary>After the end-of-retained marker came back, how long no status must arrive before the table is drawn.</summary>
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(200);

    private static readonly JsonSerializerOptions JsonOutput = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(TimeProvider timeProvider, bool clearScreenOnRefresh)
    {
        var broker = new BrokerArguments();
        var watch = new Option<bool>("--watch", "-w") { Description = "Keep running and print the table again on every change (Ctrl-C to stop)" };
        var json = new Option<bool>("--json") { Description = "Print the status documents as a JSON array instead of a table" };
        var wait = new Option<double>("--wait")
        {
            Description = "Longest wait, in seconds, for the broker's retained statuses (it normally ends as soon as the broker has sent them all)",
            DefaultValueFactory = _ => 5,
        };

        var command = new Command("status", "List every device's status: state, version, uptime, models");
        broker.AddTo(command);
        command.Add(watch);
        command.Add(json);
        command.Add(wait);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var options = broker.Read(parseResult, out var endpoint, out var problem);
            if (options is null)
            {
                await error.WriteLineAsync($"edgectl status: {problem}");
                return 2;
            }

            await using var collector = new DeviceStatusCollector(
                BrokerArguments.CreateSupervisor(options, endpoint!, timeProvider),
                new MqttTopics(options.TopicRoot),
                timeProvider);
            try
            {
                await collector.StartAsync(broker.ConnectTimeout(parseResult), cancellationToken);
                await collector.WaitForRetainedAsync(QuietPeriod, TimeSpan.FromSeconds(parseResult.GetValue(wait)), cancellationToken);
                await PrintAsync(output, collector.Snapshot(), parseResult.GetValue(json), clearScreen: false, refresh: false, timeProvider);
                if (!parseResult.GetValue(watch))
                {
                    return 0;
                }

                await foreach (var _ in collector.Changes.ReadAllAsync(cancellationToken))
                {
                    // Several retained messages often arrive together: draw once they settle.
                    await collector.WaitForQuietAsync(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500), cancellationToken);
                    while (collector.Changes.TryRead(out var _))
                    {
                    }

                    await PrintAsync(output, collector.Snapshot(), parseResult.GetValue(json), clearScreenOnRefresh, refresh: true, timeProvider);
                }

                return 0;
            }
            catch (BrokerUnreachableException ex)
            {
                await error.WriteLineAsync($"edgectl status: {ex.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
        });
        return command;
    }

    private static async Task PrintAsync(TextWriter output, IReadOnlyList<DeviceListing> devices, bool asJson, bool clearScreen, bool refresh, TimeProvider timeProvider)
    {
        if (asJson)
        {
            var array = new JsonArray([.. devices.Select(d => ParseOrText(d.RawJson))]);
            await output.WriteLineAsync(array.ToJsonString(JsonOutput));
            return;
        }

        var now = timeProvider.GetUtcNow();
        if (clearScreen)
        {
            await output.WriteAsync("\u001b[H\u001b[2J");
        }
        else if (refresh)
        {
            await output.WriteLineAsync($"--- {now:yyyy-MM-dd HH:mm:ss}Z ---");
        }

        if (Terminal.IsInteractive(output))
        {
            Terminal.For(output).Write(DeviceStatusTable.Build(devices, now));
        }
        else
        {
            await output.WriteAsync(DeviceStatusTable.Render(devices, now));
        }

        await output.FlushAsync();
    }

    private static JsonNode? ParseOrText(string raw)
    {
        try
        {
            return JsonNode.Parse(raw);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(raw);
        }
    }
}
