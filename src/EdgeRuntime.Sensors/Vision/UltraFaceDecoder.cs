namespace EdgeRuntime.Sensors.Vision;

/// <summary>
/// Reads UltraFace's outputs (the export with box decoding): <c>scores</c> [1, priors, 2] (background, face) and
/// <c>boxes</c> [1, priors, 4] in corner form as frame fractions. Faces above the score threshold, then NMS.
/// </summary>
public sealed record UltraFaceDecoder(float ScoreThreshold = 0.7f, float IouThreshold = 0.3f, int MaxDetections = 200)
{
    /// <summary>The faces of one image.</summary>
    public List<Detection> Decode(ReadOnlySpan<float> scores, ReadOnlySpan<float> boxes)
    {
        var priors = scores.Length / 2;
        if (boxes.Length != priors * 4)
        {
            throw new InvalidDataException($"UltraFace outputs disagree: {priors} scores but {boxes.Length / 4} boxes");
        }

        var candidates = new List<Detection>();
        for (var i = 0; i < priors; i++)
        {
            var score = scores[(i * 2) + 1];
            if (score > ScoreThreshold)
            {
                var b = boxes.Slice(i * 4, 4);
                candidates.Add(new Detection(Math.Clamp(b[0], 0, 1), Math.Clamp(b[1], 0, 1), Math.Clamp(b[2], 0, 1), Math.Clamp(b[3], 0, 1), score));
            }
        }

        return NonMaxSuppression.Apply(candidates, IouThreshold, MaxDetections);
    }
}
