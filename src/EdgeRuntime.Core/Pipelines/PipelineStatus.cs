namespace EdgeRuntime.Core.Pipelines;

/// <summary>
/// One pipeline in the device status. Every sample a source handed over is accounted for:
/// <c>fed = served + dropped + rejected + failed + waitingForModel + queued</c>.
/// </summary>
/// <param name="Name">The pipeline's name (also the results topic level).</param>
/// <param name="State">"waiting for the first sample" (from start), "running", "waiting for model NAME", or "failed: reason".</param>
/// <param name="Model">The model it runs.</param>
/// <param name="ModelVersion">The version that answered last, if any.</param>
/// <param name="Fed">Samples the sources handed over.</param>
/// <param name="Served">Samples answered and published or stored.</param>
/// <param name="Dropped">Samples pushed out of a full queue (overload policy drop-oldest).</param>
/// <param name="Rejected">Samples refused by a full queue (overload policy reject).</param>
/// <param name="Failed">Samples whose inference or post-processing failed.</param>
/// <param name="WaitingForModel">Samples that arrived while no version of the model was serving.</param>
/// <param name="Queued">Samples waiting in the queue now.</param>
/// <param name="LatencyP50Ms">Median latency from sample ready to result ready, ms.</param>
/// <param name="LatencyP99Ms">99th percentile of the same, ms.</param>
/// <param name="MeanBatch">Mean batch size the pipeline's requests ran in.</param>
public sealed record PipelineStatus(
    string Name,
    string State,
    string Model,
    long? ModelVersion,
    long Fed,
    long Served,
    long Dropped,
    long Rejected,
    long Failed,
    long WaitingForModel,
    long Queued,
    double? LatencyP50Ms,
    double? LatencyP99Ms,
    double? MeanBatch);
