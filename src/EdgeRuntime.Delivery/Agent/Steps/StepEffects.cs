using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Preflight;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Delivery.Transfer;
using Microsoft.Extensions.Logging;
using Polly;

namespace EdgeRuntime.Delivery.Agent.Steps;

/// <summary>The parts of the device the steps act on; one per agent.</summary>
internal sealed record StepEffects(
    DeliveryOptions Options,
    ModelStore Store,
    TrustedKeys TrustedKeys,
    IModelActivator Activator,
    IBuiltInModels? BuiltIns,
    PreflightRunner Preflight,
    IChunkSource BrokerChunks,
    IChunkSource UrlChunks,
    ResiliencePipeline SourcePipeline,
    ModelProgressReporter Reporter,
    Trust.DeviceTrust Trust,
    TimeProvider Clock,
    ILogger Logger);
