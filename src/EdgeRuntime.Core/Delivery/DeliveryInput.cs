namespace EdgeRuntime.Core.Delivery;

/// <summary>Everything the planner decides on for one model: nothing else (no clock, no disk, no broker) is read.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Desired">What the fleet asks.</param>
/// <param name="Current">Where the model stands.</param>
/// <param name="Now">The time the decision is made at (expiry, retry and abandonment are judged against it).</param>
/// <param name="Limits">The settings that apply.</param>
public sealed record DeliveryInput(string Model, DesiredModel Desired, CurrentModel Current, DateTimeOffset Now, DeliveryLimits Limits);
