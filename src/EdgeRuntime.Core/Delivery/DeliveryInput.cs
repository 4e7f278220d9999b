namespace EdgeRuntime.Core.Delivery;

/// <summary>Everything the planner decides on for one model: nothing else (no clock, no disk, no broker) is read.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Desired">What the fleet asks.</param>
/// <param name="Current">Where the model stands.</param>
/// <param name="Now">The device clock's time the decision is made at (retry and abandonment are judged against it).</param>
/// <param name="Limits">The settings that apply.</param>
public sealed record DeliveryInput(string Model, DesiredModel Desired, CurrentModel Current, DateTimeOffset Now, DeliveryLimits Limits)
{
    /// <summary>This device as manifest targets name it; <see cref="TargetedDevice.Unnamed"/> matches only manifests for every device.</summary>
    public TargetedDevice Device { get; init; } = TargetedDevice.Unnamed;

    /// <summary>
    /// The newest creation time among the signed documents the device has accepted (<see cref="SignedTime.Floor"/>): time
    /// cannot be earlier than that, so expiry is judged at the later of it and <see cref="Now"/>.
    /// </summary>
    public DateTimeOffset TimeFloor { get; init; } = DateTimeOffset.MinValue;

    /// <summary>The time expiry is judged at: <see cref="Now"/>, or <see cref="TimeFloor"/> when the clock is behind it.</summary>
    public DateTimeOffset ExpiryNow => SignedTime.ExpiryNow(Now, TimeFloor);
}
