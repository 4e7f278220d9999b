namespace EdgeRuntime.Kernels.Vision;

/// <summary>How detections are selected (defaults as EdgeRuntime.Sensors.Vision.UltraFaceDecoder's).</summary>
/// <param name="ScoreThreshold">Keep priors whose score is strictly above it. Default 0.7.</param>
/// <param name="IouThreshold">Suppress a box whose intersection over union with a kept, better one is strictly above it. Default 0.3.</param>
/// <param name="MaxDetections">Keep at most this many, best first; ≥ 1. Default 200.</param>
public sealed record DetectionThresholds(float ScoreThreshold = 0.7f, float IouThreshold = 0.3f, int MaxDetections = 200)
{
    /// <summary>Throws when a value is out of range, naming it.</summary>
    public void Validate()
    {
        if (float.IsNaN(ScoreThreshold) || float.IsNaN(IouThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(ScoreThreshold), "detection thresholds must be numbers");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDetections, 1);
    }
}
