using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Connection;

/// <summary>
/// One registered topic filter and its handler. Messages are handled one at a time, in arrival order,
/// on the subscription's own task, so a slow handler holds back only its own topic.
/// </summary>
internal sealed partial class Subscription
{
    private readonly Channel<(ReceivedMessage Message, IncomingDelivery Delivery)> _inbox =
        Channel.CreateUnbounded<(ReceivedMessage, IncomingDelivery)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Func<ReceivedMessage, CancellationToken, Task> _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;

    public Subscription(string filter, MqttQualityOfServiceLevel qualityOfService, Func<ReceivedMessage, CancellationToken, Task> handler, ILogger logger)
    {
        Filter = filter;
        QualityOfService = qualityOfService;
        _handler = handler;
        _logger = logger;
        _worker = Task.Run(RunAsync);
    }

    public string Filter { get; }

    public MqttQualityOfServiceLevel QualityOfService { get; }

    /// <summary>Whether the broker's session holds this subscription (reset when a session is lost).</summary>
    public bool ActiveOnBroker { get; set; }

    public bool IsClosed { get; private set; }

    public void Post(ReceivedMessage message, IncomingDelivery delivery)
    {
        if (!_inbox.Writer.TryWrite((message, delivery)))
        {
            delivery.HandlerDone(handled: false);
        }
    }

    public async Task CloseAsync()
    {
        if (IsClosed)
        {
            return;
        }

        IsClosed = true;
        _inbox.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _worker;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        await foreach (var (message, delivery) in _inbox.Reader.ReadAllAsync(_stop.Token))
        {
            var handled = false;
            try
            {
                await _handler(message, _stop.Token);
                handled = true;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopping: leave the message unacknowledged so the broker delivers it again.
                delivery.HandlerDone(handled: false);
                throw;
            }
            catch (Exception ex)
            {
                // A handler that throws would throw again on redelivery; acknowledge so it cannot block the session.
                LogHandlerFailed(_logger, message.Topic, Filter, ex);
                handled = true;
            }

            delivery.HandlerDone(handled);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler for MQTT subscription {Filter} failed on a message from {Topic}; the message is acknowledged and dropped")]
    private static partial void LogHandlerFailed(ILogger logger, string topic, string filter, Exception exception);
}

/// <summary>
/// One received message on its way through every matching subscription. The broker gets the
/// acknowledgement when the last handler finished, and only on the connection that delivered it.
/// </summary>
internal sealed class IncomingDelivery(int handlers, Func<Task> acknowledge)
{
    private int _remaining = handlers;
    private int _abandoned;

    public void HandlerDone(bool handled)
    {
        if (!handled)
        {
            Interlocked.Exchange(ref _abandoned, 1);
        }

        if (Interlocked.Decrement(ref _remaining) == 0 && Volatile.Read(ref _abandoned) == 0)
        {
            _ = acknowledge();
        }
    }
}
