using EdgeRuntime.Federated.Device;

namespace EdgeRuntime.Federated.Tests.Device;

public sealed class TrainableAgreementTests
{
    [Fact]
    public void Check_VersionListsNothing_Agrees() =>
        Assert.Null(TrainableAgreement.Check(["head.weight", "head.bias"], null, "traffic", 3));

    [Fact]
    public void Check_SameTensorsOtherOrder_Agrees() =>
        Assert.Null(TrainableAgreement.Check(["head.weight", "head.bias"], ["head.bias", "head.weight"], "traffic", 3));

    [Theory]
    [InlineData("head.weight,head.bias", "head.weight,head.bias,skip.weight")]
    [InlineData("head.weight,head.bias,skip.weight", "head.weight,head.bias")]
    [InlineData("head.weight", "head.bias")]
    public void Check_DifferentTensors_OneLineWithTheCode(string device, string fleet)
    {
        var problem = TrainableAgreement.Check(device.Split(','), fleet.Split(','), "traffic", 3);

        Assert.StartsWith("trainable-mismatch: ", problem, StringComparison.Ordinal);
        Assert.Contains("v3's edge.federated.trainable", problem, StringComparison.Ordinal);
        Assert.Single(problem!.Split('\n'));
    }
}
