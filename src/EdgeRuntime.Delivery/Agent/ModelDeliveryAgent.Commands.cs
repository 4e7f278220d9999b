using System.Collections.Concurrent;
using System.Text.Json;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Messaging.Connection;
using Polly;
using Polly.Timeout;

namespace EdgeRuntime.Delivery.Agent;

public sealed partial class ModelDeliveryAgent
{
    /// <summary>Replies by nonce for the commands this run admitted: a copy that arrives while its first is carried out waits for its result.</summary>
    private readonly ConcurrentDictionary<string, Task<CommandReply>> _replies = new(StringComparer.Ordinal);

    /// <summary>
    /// Admits a command (signature, topic, device, expiry judged at the newest signed time when the clock is behind it,
    /// then the replay rule over the nonces kept on disk), records its nonce durably, and hands it to its model's loop
    /// without waiting for it, so a command for one model never holds up another's; the reply goes out when the loop
    /// answers or the command's time is up, whichever comes first, and is recorded as the answer to every later copy.
    /// </summary>
    private async Task OnCommandAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            await HeldUntilStopAsync(cancellationToken);
            return;
        }

        var name = Topics.CommandOfTopic(message.Topic, _parts.DeviceId);
        if (name is null || message.Payload.IsEmpty)
        {
            return;
        }

        var (signed, document) = SignedCommands.Read(name, message.Payload.Span, _parts.TrustedKeys);
        if (document is not null)
        {
            _parts.Trust.Observe(document.IssuedAt, document.ExpiresAt);
        }

        var expiryNow = _parts.Trust.ExpiryNow;
        var refusal = DeliveryPlanner.Admit(signed, _parts.DeviceId, expiryNow);
        if (refusal is null)
        {
            try
            {
                refusal = _parts.Trust.Commands.TryAdmit(document!, Clock.GetUtcNow(), expiryNow);
            }
            catch (IOException ex)
            {
                refusal = new Refusal(RefusalCode.InternalError, document!.Version ?? 0, $"command refused: its nonce could not be recorded ({ex.Message.ReplaceLineEndings(" ")}), and a command not recorded could be replayed");
            }
        }

        if (refusal is not null)
        {
            LogCommandRefused(_logger, RefusalCodes.Name(refusal.Code), refusal.Message);
            var serving = document is not null && Core.Models.ModelName.IsValid(document.Model) ? _parts.Activator.ServingVersion(document.Model) : null;
            var answer = new CommandReply(false, refusal.Message, document?.Model, serving, document?.Nonce, refusal.Code);
            if (refusal.Code == RefusalCode.Replayed)
            {
                // Not awaited here: the first may still be carried out, and this handler must not hold up the messages it waits for.
                _ = ReplyWhenDoneAsync(WithFirstReplyAsync(answer, document!.Nonce), message);
                return;
            }

            await ReplyAsync(message, answer);
            return;
        }

        var reply = _replies.GetOrAdd(document!.Nonce, _ => ExecuteAsync(document, signed.Kind!.Value));
        _ = ReplyWhenDoneAsync(reply, message);
    }

    /// <summary><paramref name="refusal"/> with the first reply to <paramref name="nonce"/>: waited for when this run is still carrying the command out, else as recorded (none when none was).</summary>
    private async Task<CommandReply> WithFirstReplyAsync(CommandReply refusal, string nonce) =>
        refusal with { First = _replies.TryGetValue(nonce, out var running) ? await running : _parts.Trust.Commands.FirstReply(nonce) };

    private async Task<CommandReply> ExecuteAsync(DeviceCommand document, CommandKind kind)
    {
        var reply = await CarryOutAsync(document, kind);
        try
        {
            _parts.Trust.Commands.Answer(document.Nonce, reply);
        }
        catch (IOException ex)
        {
            LogReplyNotRecorded(_logger, document.Nonce, ex.Message);
        }

        return reply;
    }

    private async Task<CommandReply> CarryOutAsync(DeviceCommand document, CommandKind kind)
    {
        var reconciler = ReconcilerFor(document.Model);
        var outcome = reconciler.SubmitAsync(new ModelCommand(kind, document.Version));
        var context = ResilienceContextPool.Shared.Get(_stopping.Token);
        context.Properties.Set(CommandDeadlinePipeline.WaitKey, CommandDeadlinePipeline.WaitFor(document.ExpiresAt, Clock.GetUtcNow()));
        try
        {
            var done = await _services.CommandPipeline.ExecuteAsync(async ctx => await outcome.WaitAsync(ctx.CancellationToken), context);
            return new CommandReply(done.Ok, done.Message, document.Model, done.ServingVersion ?? _parts.Activator.ServingVersion(document.Model), document.Nonce, done.Code);
        }
        catch (TimeoutRejectedException)
        {
            // Answer in time with what the work has come to; it goes on.
            var (line, stalled) = reconciler.Progress();
            var code = stalled ? RefusalCode.Stalled : RefusalCode.TimedOut;
            var message = $"{line ?? $"{document.Model}: the command is still queued"}; the command's time ran out before it finished (the work goes on)";
            LogCommandRefused(_logger, RefusalCodes.Name(code), message);
            return new CommandReply(false, message, document.Model, _parts.Activator.ServingVersion(document.Model), document.Nonce, code);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task ReplyWhenDoneAsync(Task<CommandReply> reply, ReceivedMessage message)
    {
        try
        {
            await ReplyAsync(message, await reply);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the command's sender times out; the command is delivered again with the session.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ReplyAsync(ReceivedMessage message, CommandReply reply)
    {
        if (message.ResponseTopic is not { Length: > 0 } responseTopic)
        {
            return;
        }

        if (!Topics.IsDeviceReply(responseTopic, _parts.DeviceId))
        {
            LogReplyTopicRefused(_logger, responseTopic.Length > 200 ? responseTopic[..200] + "…" : responseTopic, Topics.DeviceReply(_parts.DeviceId, "{requester}"));
            return;
        }

        var payload = JsonSerializer.SerializeToUtf8Bytes(reply, CommandJsonContext.Default.CommandReply);
        await _parts.Connection.PublishAsync(new OutgoingMessage(responseTopic, payload)
        {
            ContentType = "application/json",
            CorrelationData = message.CorrelationData,
        });
    }
}
