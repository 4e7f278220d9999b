using EdgeRuntime.Messaging.Broker;
using static EdgeRuntime.Messaging.Broker.RetainedSubscribeGate.Operation;

namespace EdgeRuntime.Messaging.Tests.Broker;

public sealed class RetainedSubscribeGateTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SameKind_RunsSideBySide()
    {
        var gate = new RetainedSubscribeGate(TimeProvider.System);

        Assert.True(await gate.EnterAsync(RetainedPublish, Long, CancellationToken.None));
        Assert.True(await gate.EnterAsync(RetainedPublish, Long, CancellationToken.None));

        Assert.Equal(2, gate.Running);
    }

    [Fact]
    public async Task OtherKind_WaitsUntilTheLastOfTheRunningKindExits()
    {
        var gate = new RetainedSubscribeGate(TimeProvider.System);
        await gate.EnterAsync(RetainedPublish, Long, CancellationToken.None);
        await gate.EnterAsync(RetainedPublish, Long, CancellationToken.None);

        var subscribe = gate.EnterAsync(Subscribe, Long, CancellationToken.None);
        gate.Exit();
        Assert.False(subscribe.IsCompleted);
        gate.Exit();

        Assert.True(await subscribe.WaitAsync(Long, TestContext.Current.CancellationToken));
        Assert.Equal(1, gate.Running);
    }

    [Fact]
    public async Task AWaitingSubscribe_IsNotOvertakenByLaterPublishes()
    {
        var gate = new RetainedSubscribeGate(TimeProvider.System);
        await gate.EnterAsync(RetainedPublish, Long, CancellationToken.None);
        var subscribe = gate.EnterAsync(Subscribe, Long, CancellationToken.None);

        // A stream of retained chunks must not starve the subscribe: the next publish queues behind it.
        var laterPublish = gate.EnterAsync(RetainedPublish, Long, CancellationToken.None);
        Assert.False(laterPublish.IsCompleted);

        gate.Exit();
        Assert.True(await subscribe.WaitAsync(Long, TestContext.Current.CancellationToken));
        Assert.False(laterPublish.IsCompleted);
        gate.Exit();
        Assert.True(await laterPublish.WaitAsync(Long, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task QueuedRunOfOneKind_IsAdmittedTogether()
    {
        var gate = new RetainedSubscribeGate(TimeProvider.System);
        await gate.EnterAsync(RetainedPublish, Long, CancellationToken.None);
        var first = gate.EnterAsync(Subscribe, Long, CancellationToken.None);
        var second = gate.EnterAsync(Subscribe, Long, CancellationToken.None);

        gate.Exit();

        await Task.WhenAll(first, second).WaitAsync(Long, TestContext.Current.CancellationToken);
        Assert.Equal(2, gate.Running);
    }

    [Fact]
    public async Task Timeout_ReturnsFalse_LeavesTheQueue_AndLetsTheNextIn()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var gate = new RetainedSubscribeGate(clock);
        await gate.EnterAsync(RetainedPublish, Long, CancellationToken.None);

        var waiting = gate.EnterAsync(Subscribe, TimeSpan.FromSeconds(10), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await waiting.WaitAsync(Long, TestContext.Current.CancellationToken));

        // The timed-out subscribe left the queue: a publish is not stuck behind it.
        Assert.True(await gate.EnterAsync(RetainedPublish, Long, CancellationToken.None).WaitAsync(Long, TestContext.Current.CancellationToken));
        Assert.Equal(2, gate.Running);
    }

    [Fact]
    public async Task Cancelled_Throws_AndHoldsNothing()
    {
        var gate = new RetainedSubscribeGate(TimeProvider.System);
        await gate.EnterAsync(Subscribe, Long, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = gate.EnterAsync(RetainedPublish, Long, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        gate.Exit();
        Assert.Equal(0, gate.Running);
    }

    [Fact]
    public void Exit_WithoutEnter_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new RetainedSubscribeGate(TimeProvider.System).Exit());
    }
}
