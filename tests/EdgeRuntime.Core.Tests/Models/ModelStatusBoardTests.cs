using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Core.Tests.Models;

public sealed class ModelStatusBoardTests
{
    [Fact]
    public void Report_NewState_ReplacesOldAndRaisesChanged()
    {
        var board = new ModelStatusBoard();
        var changes = 0;
        board.Changed += () => changes++;

        board.Report(new ModelStatus("traffic", 2, ModelPhase.Downloading, "chunks 1/4"));
        board.Report(new ModelStatus("traffic", 2, ModelPhase.Serving, ServingVersion: 2));

        var model = Assert.Single(board.Snapshot());
        Assert.Equal(ModelPhase.Serving, model.Phase);
        Assert.Equal(2, changes);
    }

    [Fact]
    public void Snapshot_SeveralModels_OrderedByName()
    {
        var board = new ModelStatusBoard();
        board.Report(new ModelStatus("zeta", 1, ModelPhase.Serving));
        board.Report(new ModelStatus("alpha", 1, ModelPhase.Failed, "signature invalid"));
        Assert.Equal(["alpha", "zeta"], board.Snapshot().Select(m => m.Name));
    }

    [Fact]
    public void Remove_UnknownModel_DoesNotRaiseChanged()
    {
        var board = new ModelStatusBoard();
        var changes = 0;
        board.Changed += () => changes++;
        board.Remove("nothing");
        Assert.Equal(0, changes);
    }
}
