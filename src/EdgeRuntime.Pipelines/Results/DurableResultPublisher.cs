using System.Globalization;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Pipelines.Configuration;

namespace EdgeRuntime.Pipelines.Results;

/// <summary>
/// Publishes a pipeline's results through the device's durable outbox (<see cref="IDurableOutbox"/>, the port in Core;
/// the transport sends them at QoS 1 to <c>{root}/devices/{id}/results/{pipeline}</c> and deletes each on the broker's
/// acknowledgement): a result is on disk before <see cref="ResultPublisher.Write"/> returns, so results made while the broker is away
/// survive an outage of any length and a restart (<see cref="ResultOptions.Durable"/>). The rate limit is
/// <see cref="ResultPublisher"/>'s. An outbox that is full is counted, never waited on. Each result's id is its
/// pipeline, stream and time, so a result made again for the same interval (a replay after a restart) is kept once.
/// </summary>
public sealed class DurableResultPublisher(IDurableOutbox outbox, string pipeline, ResultOptions options, TimeProvider timeProvider)
    : ResultPublisher(options, timeProvider)
{
    /// <inheritdoc />
    protected override void Send(PipelineResult result)
    {
        try
        {
            outbox.Add(new OutboxMessage(IdOf(result), OutboxChannel.PipelineResult, pipeline, result.Json, OutboxRelease.OnBrokerAcknowledgement));
            Counted(handedOn: true);
        }
        catch (OutboxFullException)
        {
            Counted(handedOn: false);
        }
    }

    /// <summary>
    /// The outbox id of <paramref name="result"/>: <c>{pipeline}.{stream}.{ticks of its time}</c>, the stream reduced to
    /// the id's alphabet (A-Z a-z 0-9 . _ -) and the whole kept within 128 characters.
    /// </summary>
    public static string IdOf(PipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var ticks = result.Time.UtcTicks.ToString(CultureInfo.InvariantCulture);
        var name = $"{result.Pipeline}.{Token(result.Stream)}";
        return $"{name[..Math.Min(name.Length, 127 - ticks.Length)]}.{ticks}";
    }

    private static string Token(string text) => new([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_')]);
}
