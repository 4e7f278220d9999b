using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Core.Tests.Delivery;

/// <summary>
/// The planner alone: typed state in, a decision out — no broker, no ONNX Runtime, no process, no disk. Every refusal
/// code and every step order a plan can have is pinned here.
/// </summary>
public sealed class DeliveryPlannerTests
{
    private const string Model = "traffic";
    private const string Device = "crossing-7";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Sha = new('a', 64);

    private static OfferedVersion Version(long version, long length = 1000, string? sha = null, DateTimeOffset? expires = null, string name = Model, DeliveryTargets? targets = null) =>
        new(name, version, length, sha ?? Sha, 4, expires ?? Now.AddDays(1), Targets: targets ?? DeliveryTargets.Everyone, DocumentSha256: Document(version));

    private static SignedOffer Signed(long version, long length = 1000, string? sha = null, DateTimeOffset? expires = null, string envelope = "env", string name = Model, DeliveryTargets? targets = null, long? topicVersion = null) =>
        new(Model, $"{envelope}-{version}", SignatureVerdict.Accepted, null, Version(version, length, sha, expires, name, targets), topicVersion);

    /// <summary>The sha256 a version's signed manifest document has in these tests.</summary>
    private static string Document(long version) => $"{version:x}".PadLeft(64, 'd');

    /// <summary>A latest statement naming <paramref name="version"/>'s manifest, signed an hour ago for a day unless told otherwise.</summary>
    private static SignedLatest Latest(long version, DateTimeOffset? expires = null, string? document = null, string name = Model, SignatureVerdict verdict = SignatureVerdict.Accepted) =>
        new(Model, $"stmt-{version}-{expires?.Ticks}", verdict, verdict == SignatureVerdict.Accepted ? null : "bad signature (key 0123)", verdict == SignatureVerdict.Accepted ? new LatestVersion(name, version, document ?? Document(version), Now.AddHours(-1), expires ?? Now.AddDays(1)) : null);

    private static StoredVersion Stored(long version, StoredHealth health = StoredHealth.Verified, long bytes = 1000) =>
        new(version, health, bytes, health == StoredHealth.Damaged ? "model.onnx has sha256 0123…; the manifest says aaaa…" : null);

    private static CurrentModel Serving(long? version, params StoredVersion[] stored) => new()
    {
        Serving = version,
        RecordedServing = version,
        HighestVersion = version ?? 0,
        Stored = stored,
        Usage = new StoreUsage(stored.Sum(s => s.Bytes), 1 << 30, 10L << 30),
    };

    /// <summary>Plans with a fresh latest statement naming <paramref name="offer"/> unless <paramref name="latest"/> or <paramref name="noLatest"/> says otherwise.</summary>
    private static DeliveryDecision Plan(CurrentModel current, SignedOffer? offer = null, ModelCommand? command = null, SignedOffer? restore = null, DateTimeOffset? now = null, SignedLatest? latest = null, bool noLatest = false, TargetedDevice? device = null, DateTimeOffset? floor = null) =>
        DeliveryPlanner.Plan(new DeliveryInput(Model, new DesiredModel(offer, command, restore, noLatest ? null : latest ?? (offer?.Offer is { } o ? Latest(o.Version) : null)), current, now ?? Now, DeliveryLimits.Default)
        {
            Device = device ?? TargetedDevice.Of(Device, ["north"]),
            TimeFloor = floor ?? DateTimeOffset.MinValue,
        });

    private static Refusal Refused(DeliveryDecision decision) => Assert.IsType<Refuse>(decision).Refusal;

    private static DeliveryPlan Planned(DeliveryDecision decision) => Assert.IsType<RunPlan>(decision).Plan;

    private static string Steps(DeliveryDecision decision) => string.Join(" ", Planned(decision).Steps.Select(s => $"{s.Kind}:{s.Version}"));

    // ---- step orders ----

    [Fact]
    public void Plan_NewerOffer_FetchesVerifiesPreflightsInstallsActivatesPrunes()
    {
        var decision = Plan(Serving(1, Stored(1)), Signed(2));
        Assert.Equal("Fetch:2 VerifyFile:2 Preflight:2 Install:2 Activate:2 Prune:2", Steps(decision));
        Assert.Equal(PlanPurpose.Install, Planned(decision).Purpose);
        Assert.True(Planned(decision).Fetches);
        Assert.Null(Planned(decision).HoldThrough);
    }

    [Fact]
    public void Plan_OfferInstalledBeforeAnInterruption_ChecksTheStoredCopyAndActivatesIt()
    {
        var current = Serving(1, Stored(1), Stored(2, StoredHealth.Unchecked));
        Assert.Equal("CheckStored:2 Activate:2 Prune:2", Steps(Plan(current, Signed(2))));
    }

    [Fact]
    public void Plan_OfferWithSupersededDownloads_DiscardsThemFirst()
    {
        var current = Serving(2, Stored(2)) with
        {
            Downloads = [new DownloadOnDisk(1, "aaaaaaaaaaaa", 500, Now), new DownloadOnDisk(3, "bbbbbbbbbbbb", 500, Now), new DownloadOnDisk(4, "aaaaaaaaaaaa", 500, Now)],
        };
        Assert.Equal("DiscardDownload:1 DiscardDownload:3 Fetch:4 VerifyFile:4 Preflight:4 Install:4 Activate:4 Prune:4", Steps(Plan(current, Signed(4))));
    }

    [Fact]
    public void Plan_DownloadOfTheOfferRepublishedWithAnotherDigest_IsDiscarded()
    {
        var current = Serving(1, Stored(1)) with { Downloads = [new DownloadOnDisk(2, "bbbbbbbbbbbb", 500, Now)] };
        Assert.Equal("DiscardDownload:2 Fetch:2 VerifyFile:2 Preflight:2 Install:2 Activate:2 Prune:2", Steps(Plan(current, Signed(2))));
    }

    [Fact]
    public void Plan_NoOffer_AbandonedDownloadExpires_AndAFreshOneStays()
    {
        var current = Serving(1, Stored(1)) with
        {
            Downloads = [new DownloadOnDisk(5, "aaaaaaaaaaaa", 500, Now - TimeSpan.FromHours(25)), new DownloadOnDisk(6, "aaaaaaaaaaaa", 500, Now - TimeSpan.FromHours(1))],
        };
        var decision = Plan(current);
        Assert.Equal("DiscardDownload:5", Steps(decision));
        Assert.Equal(PlanPurpose.Cleanup, Planned(decision).Purpose);
    }

    [Fact]
    public void Plan_DamagedVersionNobodyServes_IsDiscarded()
    {
        Assert.Equal("DiscardStored:1", Steps(Plan(Serving(2, Stored(1, StoredHealth.Damaged), Stored(2)))));
    }

    [Fact]
    public void Plan_AfterStart_RestoresTheRecordedVersion_CheckingItFirst()
    {
        var current = Serving(null, Stored(1), Stored(2, StoredHealth.Unchecked)) with { RecordedServing = 2, HighestVersion = 2 };
        var decision = Plan(current, Signed(2));
        Assert.Equal("CheckStored:2 Activate:2", Steps(decision));
        Assert.Equal(PlanPurpose.Restore, Planned(decision).Purpose);
    }

    [Fact]
    public void Plan_NothingStored_ServesTheBuiltInV0()
    {
        var decision = Plan(new CurrentModel { HasBuiltIn = true });
        Assert.Equal("Activate:0", Steps(decision));
        Assert.Equal(PlanPurpose.Restore, Planned(decision).Purpose);
    }

    [Fact]
    public void Plan_RecordedVersionDamagedAndNothingServes_ServesAFallbackFirst_ThenFetchesItAgain()
    {
        var current = Serving(null, Stored(1), Stored(2, StoredHealth.Damaged)) with { RecordedServing = 2, HighestVersion = 2 };
        var fallback = Plan(current, Signed(2), restore: Signed(2));
        Assert.Equal("CheckStored:1 ActivateFallback:1", Steps(fallback));
        Assert.Equal(PlanPurpose.Fallback, Planned(fallback).Purpose);

        var repair = Plan(current with { Serving = 1 }, Signed(2), restore: Signed(2));
        Assert.Equal("DiscardStored:2 Fetch:2 VerifyFile:2 Preflight:2 Install:2 Activate:2 Prune:2", Steps(repair));
        Assert.Equal(PlanPurpose.Repair, Planned(repair).Purpose);
    }

    [Fact]
    public void Plan_RecordedVersionMissing_OnlyBuiltInLeft_FallsBackToV0_AndRepairsEvenWithAnExpiredManifest()
    {
        var current = new CurrentModel { RecordedServing = 3, HighestVersion = 3, HasBuiltIn = true, Usage = new StoreUsage(0, 1 << 30, 1L << 30) };
        Assert.Equal("ActivateFallback:0", Steps(Plan(current)));
        var repair = Plan(current with { Serving = 0 }, restore: Signed(3, expires: Now.AddDays(-40)));
        Assert.Equal("Fetch:3 VerifyFile:3 Preflight:3 Install:3 Activate:3 Prune:3", Steps(repair));
    }

    [Fact]
    public void Plan_DeployOfAStoredVersion_ChecksActivatesPrunes_AndHoldsWhatWasOffered()
    {
        var current = Serving(2, Stored(1), Stored(2)) with { HighestVersion = 2 };
        var decision = Plan(current, Signed(3), new ModelCommand(CommandKind.Deploy, 1));
        Assert.Equal("CheckStored:1 Activate:1 Prune:1", Steps(decision));
        Assert.Equal(PlanPurpose.Deploy, Planned(decision).Purpose);
        Assert.Equal(3, Planned(decision).HoldThrough);
    }

    [Fact]
    public void Plan_DeployOfAStagedVersion_FetchesItThroughItsOwnManifest()
    {
        var decision = Plan(Serving(1, Stored(1)), command: new ModelCommand(CommandKind.Deploy, 3, Signed(3)));
        Assert.Equal("Fetch:3 VerifyFile:3 Preflight:3 Install:3 Activate:3 Prune:3", Steps(decision));
        Assert.Equal(1, Planned(decision).HoldThrough);
    }

    [Fact]
    public void Plan_DeployOfADamagedStoredVersion_DiscardsAndFetchesIt()
    {
        var current = Serving(2, Stored(1, StoredHealth.Damaged), Stored(2));
        Assert.Equal("DiscardStored:1 Fetch:1 VerifyFile:1 Preflight:1 Install:1 Activate:1 Prune:1", Steps(Plan(current, command: new ModelCommand(CommandKind.Deploy, 1, Signed(1)))));
    }

    [Fact]
    public void Plan_DeployOrRollbackToV0_ActivatesTheBuiltIn()
    {
        var current = Serving(2, Stored(2)) with { HasBuiltIn = true };
        Assert.Equal("Activate:0", Steps(Plan(current, command: new ModelCommand(CommandKind.Deploy, 0))));
        var rollback = Plan(current, Signed(2), new ModelCommand(CommandKind.Rollback, null));
        Assert.Equal("Activate:0", Steps(rollback));
        Assert.Equal(PlanPurpose.Rollback, Planned(rollback).Purpose);
        Assert.Equal(2, Planned(rollback).HoldThrough);
    }

    [Fact]
    public void Plan_RollbackWithoutVersion_GoesToTheNewestOlderIntactVersion()
    {
        var current = Serving(4, Stored(1), Stored(2, StoredHealth.Damaged), Stored(3, StoredHealth.Unchecked), Stored(4));
        Assert.Equal("CheckStored:3 Activate:3 Prune:3", Steps(Plan(current, command: new ModelCommand(CommandKind.Rollback, null))));
        Assert.Equal("CheckStored:1 Activate:1 Prune:1", Steps(Plan(current with { Stored = [Stored(1), Stored(2, StoredHealth.Damaged), Stored(4)] }, command: new ModelCommand(CommandKind.Rollback, null))));
    }

    [Fact]
    public void Plan_RepairCommandWithTheRecordedVersionDamaged_FetchesItAgainWhileItServes()
    {
        var current = Serving(2, Stored(1), Stored(2, StoredHealth.Damaged));
        Assert.Equal("DiscardStored:2 Fetch:2 VerifyFile:2 Preflight:2 Install:2 Activate:2 Prune:2", Steps(Plan(current, command: new ModelCommand(CommandKind.Repair, null), restore: Signed(2))));
    }

    [Fact]
    public void Plan_RecordedVersionDamaged_ANewerOfferIsTakenInsteadOfTheRepair()
    {
        var current = Serving(1, Stored(1), Stored(2, StoredHealth.Damaged)) with { RecordedServing = 2, HighestVersion = 2 };
        var decision = Plan(current, Signed(3), restore: Signed(2));
        Assert.Equal(PlanPurpose.Install, Planned(decision).Purpose);
        Assert.Equal(3, Planned(decision).Version);
    }

    [Fact]
    public void Plan_FallbackThatFailedBefore_IsSkippedForTheNextOne()
    {
        var failed = new PastFailure(DeliveryPlanner.RestoreKey(2), new Refusal(RefusalCode.IncompatibleWithPipeline, 2, "does not fit"), Now, 1, 0);
        var current = Serving(null, Stored(1), Stored(2), Stored(3, StoredHealth.Damaged)) with { RecordedServing = 3, HighestVersion = 3, HasBuiltIn = true, Failures = [failed] };
        Assert.Equal("CheckStored:1 ActivateFallback:1", Steps(Plan(current)));
        Assert.Equal("ActivateFallback:0", Steps(Plan(current with { Stored = [Stored(2), Stored(3, StoredHealth.Damaged)] })));
    }

    [Fact]
    public void Plan_KeysSayWhatIsRemembered_OffersByEnvelope_RestoresByVersion_CommandsNot()
    {
        Assert.Equal("env-2", Assert.IsType<Refuse>(Plan(Serving(3, Stored(3)) with { HighestVersion = 3 }, Signed(2))).Key);
        Assert.Equal("env-4", Planned(Plan(Serving(3, Stored(3)), Signed(4))).Key);
        var damaged = Serving(1, Stored(1), Stored(2, StoredHealth.Damaged)) with { RecordedServing = 2, HighestVersion = 2 };
        Assert.Equal(DeliveryPlanner.RestoreKey(2), Assert.IsType<Refuse>(Plan(damaged)).Key);
        Assert.Equal(DeliveryPlanner.RestoreKey(2), Planned(Plan(damaged, restore: Signed(2))).Key);
        Assert.Null(Assert.IsType<Refuse>(Plan(Serving(2, Stored(2)), command: new ModelCommand(CommandKind.Rollback, 2))).Key);
        Assert.Null(Planned(Plan(Serving(2, Stored(1), Stored(2)), command: new ModelCommand(CommandKind.Rollback, 1))).Key);
    }

    // ---- nothing to do, and waiting ----

    [Fact]
    public void Plan_TheServingVersionOffered_NothingToDo()
    {
        Assert.Equal("traffic v2 is already serving", Assert.IsType<NothingToDo>(Plan(Serving(2, Stored(2)), Signed(2))).Reason);
    }

    [Fact]
    public void Plan_TheHighestVersionOfferedAfterARollback_NothingToDo()
    {
        var current = Serving(1, Stored(1), Stored(2)) with { HighestVersion = 2 };
        Assert.Contains("installed before", Assert.IsType<NothingToDo>(Plan(current, Signed(2))).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_OfferHeldBackByACommand_NothingToDo_ButANewerOneIsTaken()
    {
        var current = Serving(0, []) with { HasBuiltIn = true, HighestVersion = 2, HeldThrough = 3, RecordedServing = 0 };
        Assert.Contains("held back", Assert.IsType<NothingToDo>(Plan(current, Signed(3))).Reason, StringComparison.Ordinal);
        Assert.Equal("Fetch:4 VerifyFile:4 Preflight:4 Install:4 Activate:4 Prune:4", Steps(Plan(current, Signed(4))));
    }

    [Fact]
    public void Plan_OfferRefusedBefore_IsNotReportedAgain()
    {
        var current = Serving(1, Stored(1)) with { RefusedEnvelopes = new HashSet<string> { "env-2" } };
        Assert.IsType<NothingToDo>(Plan(current, Signed(2)));
    }

    [Fact]
    public void Plan_RepairCommandOnAnIntactStore_SaysSo()
    {
        Assert.Contains("the store is intact (v1, v2)", Assert.IsType<NothingToDo>(Plan(Serving(2, Stored(1), Stored(2)), command: new ModelCommand(CommandKind.Repair, null))).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_DiskFullFailure_WaitsItsDelay_UnlessSpaceCameBack()
    {
        var failure = new PastFailure("env-2", new Refusal(RefusalCode.DiskFull, 2, "no space", true), Now.AddSeconds(-10), 1, FreeBytesAtFailure: 1000);
        var current = Serving(1, Stored(1)) with { Failures = [failure], Usage = new StoreUsage(1000, 1 << 30, 1000) };
        var wait = Assert.IsType<WaitUntil>(Plan(current, Signed(2, length: 500)));
        Assert.Equal(Now.AddSeconds(20), wait.Until);
        Assert.Equal(RefusalCode.DiskFull, wait.Failure.Code);

        Assert.Equal("Fetch:2 VerifyFile:2 Preflight:2 Install:2 Activate:2 Prune:2", Steps(Plan(current with { Usage = new StoreUsage(1000, 1 << 30, 5000) }, Signed(2, length: 500))));
        Assert.IsType<RunPlan>(Plan(current, Signed(2, length: 500), now: Now.AddSeconds(21)));
    }

    [Fact]
    public void Plan_RetryDelay_DoublesWithEachFailure_UpToTheCap()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), DeliveryLimits.Default.RetryDelay(1));
        Assert.Equal(TimeSpan.FromSeconds(120), DeliveryLimits.Default.RetryDelay(3));
        Assert.Equal(TimeSpan.FromMinutes(30), DeliveryLimits.Default.RetryDelay(40));
    }

    [Fact]
    public void Plan_RestoreThatFailed_WaitsWhileSomethingServes_AndFallsBackWhenNothingDoes()
    {
        var failure = new PastFailure(DeliveryPlanner.RestoreKey(2), new Refusal(RefusalCode.ActivationFailed, 2, "failed to start", false), Now, 1, 0);
        var current = Serving(null, Stored(1), Stored(2)) with { RecordedServing = 2, HighestVersion = 2, Failures = [failure] };
        Assert.Equal("CheckStored:1 ActivateFallback:1", Steps(Plan(current)));
        Assert.IsType<WaitUntil>(Plan(current with { Serving = 1 }));
    }

    [Fact]
    public void RestoreOfferVersion_AgreesWithThePlanner_AtEveryInstantAroundTheEndOfTheWait()
    {
        // The daemon reads the retained manifest only when this says so, then plans at the same instant: if the two
        // disagreed the planner would refuse for a manifest "not on the broker" that was never looked for.
        var failure = new PastFailure(DeliveryPlanner.RestoreKey(2), new Refusal(RefusalCode.StoreDamaged, 2, "changed on disk", true), Now, 1, 0);
        var current = Serving(1, Stored(1), Stored(2, StoredHealth.Damaged)) with { RecordedServing = 2, HighestVersion = 2, Failures = [failure] };
        var end = Now + DeliveryLimits.Default.RetryDelay(1);
        foreach (var offsetTicks in new long[] { -10_000_000, -1, 0, 1, 10_000_000 })
        {
            var at = end.AddTicks(offsetTicks);
            var wanted = DeliveryPlanner.RestoreOfferVersion(current, at, DeliveryLimits.Default);
            var decision = Plan(current, restore: wanted is { } version ? Signed(version) : null, now: at, noLatest: true);
            if (offsetTicks < 0)
            {
                Assert.Null(wanted);
                Assert.IsType<WaitUntil>(decision);
            }
            else
            {
                Assert.Equal(2, wanted);
                Assert.Equal("DiscardStored:2 Fetch:2 VerifyFile:2 Preflight:2 Install:2 Activate:2 Prune:2", Steps(decision));
            }
        }

        Assert.Null(DeliveryPlanner.RestoreOfferVersion(Serving(2, Stored(1), Stored(2)), Now, DeliveryLimits.Default));
        Assert.Equal(3, DeliveryPlanner.RestoreOfferVersion(Serving(2, Stored(2)) with { RecordedServing = 3 }, Now, DeliveryLimits.Default));
    }

    // ---- every refusal code the planner gives ----

    public static TheoryData<SignatureVerdict, RefusalCode> Verdicts => new()
    {
        { SignatureVerdict.NoTrustedKeys, RefusalCode.NoTrustedKeys },
        { SignatureVerdict.UnknownKey, RefusalCode.UnknownKey },
        { SignatureVerdict.BadSignature, RefusalCode.BadSignature },
        { SignatureVerdict.Malformed, RefusalCode.Malformed },
    };

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void Plan_OfferWhoseSignatureFails_IsRefusedWithItsCode_AsVersion0(SignatureVerdict verdict, RefusalCode code)
    {
        var refusal = Refused(Plan(Serving(1, Stored(1)), new SignedOffer(Model, "env", verdict, "signed by unknown key 0123", null)));
        Assert.Equal(code, refusal.Code);
        Assert.Equal(0, refusal.Version);
        Assert.StartsWith("manifest refused: signed by unknown key 0123", refusal.Message, StringComparison.Ordinal);
        Assert.False(refusal.Retryable);
        Assert.Equal(verdict == SignatureVerdict.NoTrustedKeys, refusal.Message.Contains("Delivery:TrustedKeys", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void Admit_CommandWhoseSignatureFails_IsRefusedWithItsCode(SignatureVerdict verdict, RefusalCode code)
    {
        var refusal = DeliveryPlanner.Admit(new SignedCommand("rollback", verdict, "bad signature (key 0123)"), Device, Now);
        Assert.Equal(code, refusal!.Code);
        Assert.StartsWith("command refused: bad signature (key 0123)", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AcceptedEnvelopeThatIsNotAManifest_IsMalformed()
    {
        var refusal = Refused(Plan(Serving(1, Stored(1)), new SignedOffer(Model, "env", SignatureVerdict.Accepted, "not a model manifest: …", null)));
        Assert.Equal(RefusalCode.Malformed, refusal.Code);
    }

    [Fact]
    public void Plan_ManifestForAnotherModel_IsWrongModel()
    {
        var refusal = Refused(Plan(Serving(1, Stored(1)), Signed(2, name: "other")));
        Assert.Equal(RefusalCode.WrongModel, refusal.Code);
        Assert.Equal("manifest refused: it names model 'other' but came on the topic of 'traffic'", refusal.Message);
    }

    [Fact]
    public void Plan_ExpiredManifest_IsExpired()
    {
        var refusal = Refused(Plan(Serving(1, Stored(1)), Signed(2, expires: Now.AddSeconds(-1))));
        Assert.Equal(RefusalCode.Expired, refusal.Code);
        Assert.StartsWith("manifest refused: it expired at 2026-11-27 11:59:59Z", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_OlderVersion_IsNotNewer()
    {
        var refusal = Refused(Plan(Serving(5, Stored(5)), Signed(4)));
        Assert.Equal(RefusalCode.NotNewer, refusal.Code);
        Assert.StartsWith("version 4 is not newer than v5", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_LargerThanTheQuota_IsOverQuota_CountingDownloadsAndPrunableVersions()
    {
        var current = Serving(1, Stored(1, bytes: 400)) with { Usage = new StoreUsage(900, 1000, 1 << 20), Downloads = [new DownloadOnDisk(9, "cccccccccccc", 500, Now)] };
        Assert.Contains("more than the store quota of 0 MB", Refused(Plan(current, Signed(2, length: 1001))).Message, StringComparison.Ordinal);

        // 900 used (400 serving + a 500-byte download of a newer v3, still wanted): 600 more does not fit…
        var refusal = Refused(Plan(current with { Downloads = [new DownloadOnDisk(3, "cccccccccccc", 500, Now)] }, Signed(2, length: 600)));
        Assert.Equal(RefusalCode.OverQuota, refusal.Code);
        Assert.Contains("over its quota", refusal.Message, StringComparison.Ordinal);

        // …and fits once a newer offer makes that download superseded (it is discarded first).
        var current2 = current with { Downloads = [new DownloadOnDisk(1, "cccccccccccc", 500, Now)] };
        Assert.Equal("DiscardDownload:1 Fetch:2 VerifyFile:2 Preflight:2 Install:2 Activate:2 Prune:2", Steps(Plan(current2, Signed(2, length: 600))));
    }

    [Fact]
    public void Plan_NotEnoughFreeSpaceForAFirstDownload_IsDiskFull_AndRetryable()
    {
        var current = Serving(1, Stored(1)) with { Usage = new StoreUsage(1000, 1 << 30, 100) };
        var refusal = Refused(Plan(current, Signed(2, length: 5000)));
        Assert.Equal(RefusalCode.DiskFull, refusal.Code);
        Assert.True(refusal.Retryable);
    }

    [Fact]
    public void Plan_RecordedVersionDamaged_NoManifestOnTheBroker_IsStoreDamaged_AndRetryable()
    {
        var current = Serving(1, Stored(1), Stored(2, StoredHealth.Damaged)) with { RecordedServing = 2, HighestVersion = 2 };
        var refusal = Refused(Plan(current));
        Assert.Equal(RefusalCode.StoreDamaged, refusal.Code);
        Assert.Equal(2, refusal.Version);
        Assert.True(refusal.Retryable);
        Assert.Contains("v1 serves meanwhile", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_RollbackToADamagedVersion_IsStoreDamaged()
    {
        Assert.Equal(RefusalCode.StoreDamaged, Refused(Plan(Serving(2, Stored(1, StoredHealth.Damaged), Stored(2)), command: new ModelCommand(CommandKind.Rollback, 1))).Code);
    }

    [Fact]
    public void Plan_RollbackWithNothingOlder_IsNotInStore()
    {
        var refusal = Refused(Plan(Serving(2, Stored(2)), command: new ModelCommand(CommandKind.Rollback, null)));
        Assert.Equal(RefusalCode.NotInStore, refusal.Code);
        Assert.Equal("no stored version of traffic older than v2 to roll back to (stored: v2)", refusal.Message);
        Assert.Equal(RefusalCode.NotInStore, Refused(Plan(Serving(3, Stored(3)), command: new ModelCommand(CommandKind.Rollback, 1))).Code);
        Assert.Equal(RefusalCode.NotInStore, Refused(Plan(Serving(3, Stored(3)), command: new ModelCommand(CommandKind.Deploy, 0))).Code);
    }

    [Fact]
    public void Plan_RollbackToTheServingOrANewerVersion_IsNotOlder()
    {
        var refusal = Refused(Plan(Serving(2, Stored(1), Stored(2)), command: new ModelCommand(CommandKind.Rollback, 2)));
        Assert.Equal(RefusalCode.NotOlder, refusal.Code);
        Assert.Equal("rollback goes to an older version; v2 is not older than the serving v2", refusal.Message);
    }

    [Fact]
    public void Plan_DeployOfAVersionNowhere_IsNotOnBroker()
    {
        var refusal = Refused(Plan(Serving(2, Stored(2)), command: new ModelCommand(CommandKind.Deploy, 7)));
        Assert.Equal(RefusalCode.NotOnBroker, refusal.Code);
        Assert.Contains("is not in the store", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_DeployOfAnOlderVersionNoLongerStored_IsNotNewer()
    {
        Assert.Equal(RefusalCode.NotNewer, Refused(Plan(Serving(5, Stored(5)), command: new ModelCommand(CommandKind.Deploy, 3, Signed(3)))).Code);
    }

    [Fact]
    public void Plan_DeployWithoutAVersion_IsMalformed_AndWithTheManifestOfAnotherVersion_IsWrongVersion()
    {
        Assert.Equal(RefusalCode.Malformed, Refused(Plan(Serving(1, Stored(1)), command: new ModelCommand(CommandKind.Deploy, null))).Code);
        Assert.Equal(RefusalCode.WrongVersion, Refused(Plan(Serving(1, Stored(1)), command: new ModelCommand(CommandKind.Deploy, 3, Signed(4)))).Code);
    }

    // ---- manifests bound to their topic and targets ----

    [Fact]
    public void Plan_DeployWhoseVersionTopicHoldsAnotherVersionsManifest_IsWrongVersion()
    {
        // v21's genuine manifest copied to v22's topic: the deploy of v22 must not install v21.
        var refusal = Refused(Plan(Serving(20, Stored(20)), command: new ModelCommand(CommandKind.Deploy, 22, Signed(21, topicVersion: 22))));
        Assert.Equal(RefusalCode.WrongVersion, refusal.Code);
        Assert.Equal("manifest refused: it names v21 but came on the topic of v22", refusal.Message);
    }

    [Fact]
    public void Plan_VersionManifestOfAnotherModel_IsWrongModel()
    {
        var refusal = Refused(Plan(Serving(1, Stored(1)), command: new ModelCommand(CommandKind.Deploy, 2, Signed(2, name: "other", topicVersion: 2))));
        Assert.Equal(RefusalCode.WrongModel, refusal.Code);
    }

    [Fact]
    public void Plan_OfferSignedForOtherDevices_IsNotTargeted_OnAnyTopic()
    {
        var canary = DeliveryTargets.Only(["crossing-1"], ["canary"]);
        var latest = Refused(Plan(Serving(1, Stored(1)), Signed(2, targets: canary)));
        Assert.Equal(RefusalCode.NotTargeted, latest.Code);
        Assert.Equal("manifest refused: traffic v2 is signed for device crossing-1, tag canary, not this device", latest.Message);
        Assert.Equal(RefusalCode.NotTargeted, Refused(Plan(Serving(1, Stored(1)), command: new ModelCommand(CommandKind.Deploy, 2, Signed(2, targets: canary, topicVersion: 2)))).Code);
    }

    [Fact]
    public void Plan_OfferSignedForThisDeviceOrOneOfItsTags_IsInstalled()
    {
        Assert.Equal(PlanPurpose.Install, Planned(Plan(Serving(1, Stored(1)), Signed(2, targets: DeliveryTargets.Only([Device], [])))).Purpose);
        Assert.Equal(PlanPurpose.Install, Planned(Plan(Serving(1, Stored(1)), Signed(2, targets: DeliveryTargets.Only([], ["south", "north"])))).Purpose);
        Assert.Equal(PlanPurpose.Deploy, Planned(Plan(Serving(1, Stored(1)), command: new ModelCommand(CommandKind.Deploy, 2, Signed(2, targets: DeliveryTargets.Only([], ["north"]), topicVersion: 2)))).Purpose);
    }

    [Fact]
    public void Plan_ManifestWithoutTargets_IsNotTargeted_AsItsSignersIntentIsUnknown()
    {
        var untargeted = new SignedOffer(Model, "env-2", SignatureVerdict.Accepted, null, new OfferedVersion(Model, 2, 1000, Sha, 4, Now.AddDays(1), DocumentSha256: Document(2)));
        var refusal = Refused(Plan(Serving(1, Stored(1)), untargeted));
        Assert.Equal(RefusalCode.NotTargeted, refusal.Code);
        Assert.Contains("names no targets", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_StoredVersionWhoseManifestHasNoTargets_StillRestoresAndRollsBack()
    {
        var current = Serving(null, Stored(1), Stored(2)) with { RecordedServing = 2, HighestVersion = 2 };
        Assert.Equal("CheckStored:2 Activate:2", Steps(Plan(current)));
        Assert.Equal("CheckStored:1 Activate:1 Prune:1", Steps(Plan(current with { Serving = 2 }, command: new ModelCommand(CommandKind.Rollback, null))));
    }

    // ---- freshness: the latest topic is followed only while a fresh statement names it ----

    [Fact]
    public void Plan_LatestOfferWithoutAStatement_IsStale_AndRememberedWithTheStatementItWasJudgedWith()
    {
        var decision = Assert.IsType<Refuse>(Plan(new CurrentModel(), Signed(2), noLatest: true));
        Assert.Equal(RefusalCode.Stale, decision.Refusal.Code);
        Assert.Equal(2, decision.Refusal.Version);
        Assert.Contains("no signed latest statement names it", decision.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal("latest:env-2:none", decision.Key);

        var reported = new CurrentModel { RefusedEnvelopes = new HashSet<string> { "latest:env-2:none" } };
        Assert.IsType<NothingToDo>(Plan(reported, Signed(2), noLatest: true));
        Assert.Equal(PlanPurpose.Install, Planned(Plan(reported, Signed(2))).Purpose);
    }

    [Fact]
    public void Plan_FreezeAttack_OldManifestWithItsExpiredStatement_IsStale_NotInstalled()
    {
        // A device that never had the model: the old v2 manifest is still within its own expiry, its statement is not.
        var refusal = Refused(Plan(new CurrentModel(), Signed(2, expires: Now.AddDays(20)), latest: Latest(2, expires: Now.AddHours(-2))));
        Assert.Equal(RefusalCode.Stale, refusal.Code);
        Assert.Contains("the latest statement (for v2) expired at 2026-11-27 10:00:00Z", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_LatestOfferNewerThanTheFreshStatement_WaitsForItsStatement_WithoutAReport()
    {
        // Statement and manifest travel on two topics: the new manifest may arrive before the statement naming it.
        var waiting = Assert.IsType<NothingToDo>(Plan(Serving(1, Stored(1)), Signed(2), latest: Latest(1)));
        Assert.Equal("traffic v2 on the latest topic waits for the fleet's statement naming it (the fresh one names v1)", waiting.Reason);
        Assert.Equal(RefusalCode.Stale, Refused(Plan(Serving(1, Stored(1)), Signed(2), latest: Latest(1, expires: Now.AddMinutes(-1)))).Code);
    }

    [Fact]
    public void Plan_LatestOfferThatTheFreshStatementDoesNotName_IsStale()
    {
        Assert.Equal(RefusalCode.Stale, Refused(Plan(new CurrentModel(), Signed(2), latest: Latest(5))).Code);
        Assert.Equal(RefusalCode.Stale, Refused(Plan(new CurrentModel(), Signed(2), latest: Latest(2, document: Document(9)))).Code);
        Assert.Equal(RefusalCode.Stale, Refused(Plan(new CurrentModel(), Signed(2), latest: Latest(2, name: "other"))).Code);
        Assert.Equal(RefusalCode.Stale, Refused(Plan(new CurrentModel(), Signed(2), latest: Latest(2, verdict: SignatureVerdict.BadSignature))).Code);
    }

    [Fact]
    public void Plan_StagedCopiedToTheLatestTopic_WithAFreshStatementForTheRealLatest_IsNotTargetedFirst()
    {
        var refusal = Refused(Plan(Serving(1, Stored(1)), Signed(3, targets: DeliveryTargets.Only(["crossing-1"], [])), latest: Latest(2)));
        Assert.Equal(RefusalCode.NotTargeted, refusal.Code);
    }

    [Fact]
    public void Plan_StaleLatest_DoesNotStopTheServingVersion_NorADeploy()
    {
        Assert.IsType<NothingToDo>(Plan(Serving(2, Stored(2)), Signed(2), noLatest: true));
        Assert.Equal(PlanPurpose.Deploy, Planned(Plan(Serving(1, Stored(1)), Signed(2), new ModelCommand(CommandKind.Deploy, 3, Signed(3, topicVersion: 3)), noLatest: true)).Purpose);
    }

    // ---- clock: the newest signed time is a floor for expiry ----

    [Fact]
    public void Plan_ClockAYearBehind_ExpiryIsJudgedAtTheNewestSignedTime()
    {
        var yearAgo = Now.AddDays(-365);
        var manifest = Signed(2, expires: Now.AddHours(-1));
        Assert.Equal(PlanPurpose.Install, Planned(Plan(Serving(1, Stored(1)), manifest, now: yearAgo, latest: Latest(2, expires: Now.AddDays(1)))).Purpose);
        Assert.Equal(RefusalCode.Expired, Refused(Plan(Serving(1, Stored(1)), manifest, now: yearAgo, latest: Latest(2, expires: Now.AddDays(1)), floor: Now)).Code);
        Assert.Equal(RefusalCode.Stale, Refused(Plan(Serving(1, Stored(1)), Signed(2), now: yearAgo, latest: Latest(2, expires: Now.AddHours(-1)), floor: Now)).Code);
    }

    [Fact]
    public void Admit_CommandsThatAreNotForThisDeviceOrNotWhatTheyClaim_AreRefusedWithTheirCodes()
    {
        SignedCommand Command(string topic = "rollback", CommandKind? kind = CommandKind.Rollback, string? name = "rollback", string device = Device, string model = Model, double expires = 60) =>
            new(topic, SignatureVerdict.Accepted, null, kind, name, device, model, null, Now.AddSeconds(expires));

        Assert.Null(DeliveryPlanner.Admit(Command(), Device, Now));
        Assert.Equal(RefusalCode.Malformed, DeliveryPlanner.Admit(Command(topic: "deploy"), Device, Now)!.Code);
        Assert.Equal(RefusalCode.Malformed, DeliveryPlanner.Admit(Command(kind: null, name: "reboot", topic: "reboot"), Device, Now)!.Code);
        Assert.Equal(RefusalCode.Malformed, DeliveryPlanner.Admit(Command(model: "a/b"), Device, Now)!.Code);
        Assert.Equal("command refused: it is for device 'another'", DeliveryPlanner.Admit(Command(device: "another"), Device, Now)!.Message);
        Assert.Equal(RefusalCode.WrongDevice, DeliveryPlanner.Admit(Command(device: "another"), Device, Now)!.Code);
        Assert.Equal(RefusalCode.Expired, DeliveryPlanner.Admit(Command(expires: -1), Device, Now)!.Code);

        // A clock a year behind no longer admits an expired command once the expiry is judged at the newest signed time.
        var floor = SignedTime.ExpiryNow(Now.AddDays(-365), Now);
        Assert.Null(DeliveryPlanner.Admit(Command(expires: -1), Device, Now.AddDays(-365)));
        Assert.Equal(RefusalCode.Expired, DeliveryPlanner.Admit(Command(expires: -1), Device, floor)!.Code);
    }

    /// <summary>
    /// Codes that steps report (a bad chunk, a failed pre-flight, a full disk mid-write…) reach the planner as remembered
    /// failures: a retryable one is tried again after its delay, any other refuses that signed offer for good.
    /// </summary>
    public static TheoryData<RefusalCode> AllCodes => [.. Enum.GetValues<RefusalCode>()];

    [Theory]
    [MemberData(nameof(AllCodes))]
    public void Plan_RememberedFailure_IsRetriedAfterItsDelayOnlyWhenItsCodeIsRetryable(RefusalCode code)
    {
        var refusal = new Refusal(code, 2, $"failed with {RefusalCodes.Name(code)}", RefusalCodes.IsRetryable(code));
        var current = Serving(1, Stored(1));
        current = refusal.Retryable
            ? current with { Failures = [new PastFailure("env-2", refusal, Now, 1, current.Usage.FreeBytes)] }
            : current with { RefusedEnvelopes = new HashSet<string> { "env-2" } };

        var soon = Plan(current, Signed(2));
        var later = Plan(current, Signed(2), now: Now.AddMinutes(31));
        if (refusal.Retryable)
        {
            Assert.Equal(code, Assert.IsType<WaitUntil>(soon).Failure.Code);
            Assert.IsType<RunPlan>(later);
        }
        else
        {
            Assert.IsType<NothingToDo>(soon);
            Assert.IsType<NothingToDo>(later);
        }

        Assert.Matches("^[a-z]+(-[a-z]+)*$", RefusalCodes.Name(code));
    }
}
