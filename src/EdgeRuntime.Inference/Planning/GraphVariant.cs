namespace EdgeRuntime.Inference.Planning;

/// <summary>A model the plan search can run: our optimiser's level and the precision applied, and its bytes.</summary>
/// <param name="OptimizerLevel">Our optimiser's level (0: as delivered).</param>
/// <param name="Precision">The precision pass applied, if any.</param>
/// <param name="Model">The ONNX bytes.</param>
/// <param name="Detail">What was done (nodes quantised, per-channel weights, reduce range), for the report.</param>
public sealed record GraphVariant(int OptimizerLevel, PlanPrecision Precision, byte[] Model, string Detail);
