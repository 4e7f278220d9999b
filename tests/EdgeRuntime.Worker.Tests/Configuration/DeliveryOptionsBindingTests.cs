using EdgeRuntime.Delivery.Agent;
using Microsoft.Extensions.Configuration;

namespace EdgeRuntime.Worker.Tests.Configuration;

public sealed class DeliveryOptionsBindingTests
{
    private static DeliveryOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new DeliveryOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(DeliveryOptions.SectionName).Bind(options);
        return options;
    }

    [Fact]
    public void Models_NotConfigured_FollowsEveryModel()
    {
        var options = Bind([]);
        Assert.True(options.Follows("traffic"));
        Assert.True(new DeliveryOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Models_Configured_FollowsOnlyThose()
    {
        var options = Bind(new() { ["Delivery:Models:0"] = "traffic" });
        Assert.True(options.Follows("traffic"));
        Assert.False(options.Follows("faces"));
    }
}
