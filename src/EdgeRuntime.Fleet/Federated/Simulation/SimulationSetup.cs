using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Simulation;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Training;

namespace EdgeRuntime.Fleet.Federated.Simulation;

/// <summary>What one simulated run is.</summary>
/// <param name="Name">Its label in tables and plots ("fedbuff K=15").</param>
/// <param name="Model">The model name.</param>
/// <param name="Template">The first global version (ONNX bytes).</param>
/// <param name="Devices">One entry per device.</param>
/// <param name="Validation">Every device's held-out data pooled (the MAE the plot follows).</param>
/// <param name="Test">Every device's test data pooled.</param>
/// <param name="Aggregation">The aggregators' strategy.</param>
/// <param name="Local">Each device's local round.</param>
/// <param name="Update">Clipping, noise, compression.</param>
/// <param name="Latency">Round times.</param>
/// <param name="Duration">Simulated time to run for.</param>
/// <param name="Seed">Seeds latencies, slowness, attackers and training order.</param>
/// <param name="Aggregators">1, or 2 sharing the subscription (needs a broker with shared subscriptions).</param>
/// <param name="PoisonShare">Share of devices sending sign-flipped updates ×10.</param>
/// <param name="Offline">Devices that go offline, when and for how long.</param>
/// <param name="MaxVersions">Stop after this many versions (0: only the duration).</param>
/// <param name="KeepOptimizerState">Each device's local optimiser continues from its previous round.</param>
/// <param name="EvaluateEvery">Score every Nth version (and the last); 1 scores every one.</param>
/// <param name="LocalLearningRateCosine">N: each device's local rate follows a cosine to 0 over the campaign's N versions (0: constant).</param>
/// <param name="Scaffold">Devices correct their local gradients by SCAFFOLD's control variates.</param>
public sealed record SimulationSetup(
    string Name,
    string Model,
    byte[] Template,
    IReadOnlyList<DeviceData> Devices,
    ForecastDataset Validation,
    ForecastDataset Test,
    AggregationOptions Aggregation,
    TrainingOptions Local,
    UpdateOptions Update,
    RoundLatency Latency,
    TimeSpan Duration,
    int Seed = 1,
    int Aggregators = 1,
    double PoisonShare = 0,
    IReadOnlyList<OfflineSpell>? Offline = null,
    int MaxVersions = 0,
    bool KeepOptimizerState = false,
    int EvaluateEvery = 1,
    int LocalLearningRateCosine = 0,
    bool Scaffold = false);

/// <summary>Device <paramref name="Device"/> (an index) is offline from <paramref name="From"/> (simulated time since the start) for <paramref name="Length"/>.</summary>
public sealed record OfflineSpell(int Device, TimeSpan From, TimeSpan Length);
