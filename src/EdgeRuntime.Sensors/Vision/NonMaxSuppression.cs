namespace EdgeRuntime.Sensors.Vision;

/// <summary>Greedy non-maximum suppression per class: keep the best box, drop those overlapping it more than a threshold.</summary>
public static class NonMaxSuppression
{
    /// <summary>The kept detections, best first.</summary>
    public static List<Detection> Apply(IEnumerable<Detection> candidates, float iouThreshold, int maxDetections)
    {
        var kept = new List<Detection>();
        foreach (var candidate in candidates.OrderByDescending(d => d.Score))
        {
            if (kept.Count >= maxDetections)
            {
                break;
            }

            if (!kept.Any(k => k.Class == candidate.Class && k.IntersectionOverUnion(candidate) > iouThreshold))
            {
                kept.Add(candidate);
            }
        }

        return kept;
    }
}
