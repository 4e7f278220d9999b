using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Core.Tests.Delivery;

/// <summary>The replay rule alone: a command history in, a refusal or admission out — no disk, no broker.</summary>
public sealed class CommandReplayTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Check_NewNonce_IsAdmitted_AndTheSameNonceAfterwards_IsReplayed()
    {
        var history = CommandReplay.Admit(CommandHistory.Empty, "3f0c1a2b3c4d5e6f", Now.AddMinutes(10), Now);
        Assert.Null(CommandReplay.Check(CommandHistory.Empty, "3f0c1a2b3c4d5e6f", Now, Now.AddMinutes(10), 2));

        var refusal = CommandReplay.Check(history, "3f0c1a2b3c4d5e6f", Now, Now.AddMinutes(10), 2)!;
        Assert.Equal(RefusalCode.Replayed, refusal.Code);
        Assert.Equal(2, refusal.Version);
        Assert.Equal("command refused: nonce 3f0c1a2b3c4d… was admitted at 2026-11-27 12:00:00Z and the daemon stopped before it was answered; a command is carried out once", refusal.Message);
        Assert.Null(CommandReplay.Check(history, "another", Now, Now.AddMinutes(10), 2));
    }

    [Fact]
    public void Check_AnsweredNonce_SaysItsFirstResultIsGiven()
    {
        var admitted = CommandReplay.Admit(CommandHistory.Empty, "n1", Now.AddMinutes(10), Now);
        var answered = admitted with { Admitted = new Dictionary<string, AdmittedCommand> { ["n1"] = admitted.Admitted["n1"] with { Answered = true } } };
        Assert.Contains("its first result is in 'first'", CommandReplay.Check(answered, "n1", Now, Now.AddMinutes(10), 0)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prune_DropsExpiredNonces_AndStillRefusesWhatCouldBeOneOfThem()
    {
        var history = CommandReplay.Admit(CommandReplay.Admit(CommandHistory.Empty, "old", Now.AddMinutes(10), Now), "new", Now.AddMinutes(30), Now);
        var pruned = CommandReplay.Prune(history, Now.AddMinutes(20));
        Assert.Equal(["new"], pruned.Admitted.Keys);
        Assert.Equal(Now.AddMinutes(10), pruned.ForgottenThrough);

        // Its nonce is gone, but a clock set back later still cannot admit the old command again.
        Assert.Equal(RefusalCode.Replayed, CommandReplay.Check(pruned, "old", Now, Now.AddMinutes(10), 0)!.Code);
        Assert.Null(CommandReplay.Check(pruned, "later", Now, Now.AddMinutes(11), 0));
        Assert.Same(pruned, CommandReplay.Prune(pruned, Now.AddMinutes(20)));
    }

    [Fact]
    public void Check_HistoryRestartedAfterDamage_RefusesCommandsIssuedBefore()
    {
        var restarted = CommandHistory.Empty with { StartsAt = Now };
        Assert.Equal(RefusalCode.Replayed, CommandReplay.Check(restarted, "n", Now.AddSeconds(-1), Now.AddMinutes(10), 0)!.Code);
        Assert.Null(CommandReplay.Check(restarted, "n", Now, Now.AddMinutes(10), 0));
    }
}
