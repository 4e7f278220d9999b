using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Agent.Steps;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging;
using Polly;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>What every model's loop shares: the effects, the runner, the state reader, the broker for retained reads, the settings, this device as targets name it.</summary>
internal sealed record AgentServices(
    StepEffects Effects,
    DeliveryStepRunner Runner,
    CurrentStateReader Reader,
    MqttConnectionSupervisor Connection,
    MqttTopics Topics,
    ResiliencePipeline CommandPipeline,
    DeliveryLimits Limits,
    TargetedDevice Device,
    TimeProvider Clock,
    ILogger Logger);
