using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Tests.Agent;

/// <summary>Signed commands to the rig's device, sent as edgectl sends them.</summary>
internal static class FleetCommands
{
    public static DeviceCommand Command(string name, long? version, string model = DeliveryRig.Model, double expiresInSeconds = 120)
    {
        var now = TimeProvider.System.GetUtcNow();
        return new DeviceCommand
        {
            Command = name,
            DeviceId = DeliveryRig.DeviceId,
            Model = model,
            Version = version,
            IssuedAt = now,
            ExpiresAt = now.AddSeconds(expiresInSeconds),
            Nonce = Guid.NewGuid().ToString("N"),
        };
    }

    /// <summary>Sends <paramref name="command"/> and waits up to <paramref name="seconds"/> for the answer; fails the test without one.</summary>
    public static async Task<CommandReply> SendAsync(DeliveryRig rig, DeviceCommand command, SigningKey key, double seconds = 20)
    {
        var client = new DeviceCommandClient(rig.Fleet, rig.Topics, TimeProvider.System);
        try
        {
            return await client.SendAsync(command, key, TimeSpan.FromSeconds(seconds), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the device did not answer '{command.Command}' within {seconds} s (status: {rig.Status()})");
            throw;
        }
    }
}
