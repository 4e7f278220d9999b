namespace EdgeRuntime.Sensors.Vision;

/// <summary>
/// A counting line drawn on the image (frame fractions), like an induction loop painted on the video: objects are
/// followed from frame to frame by nearest centre, and each one whose centre moves across the segment is counted
/// once per crossing, by direction. Not thread-safe: one per stream.
/// </summary>
public sealed class VirtualLoop(float x1, float y1, float x2, float y2, float maxStep = 0.2f)
{
    private List<Track> _tracks = [];
    private int _nextId;

    /// <summary>
    /// Crossings towards the walker's left when walking the line from its first point to its second; for a line drawn
    /// top to bottom that is left to right in the image.
    /// </summary>
    public long Forward { get; private set; }

    /// <summary>Crossings the other way.</summary>
    public long Backward { get; private set; }

    /// <summary>Both directions.</summary>
    public long Total => Forward + Backward;

    /// <summary>Follows this frame's detections; returns how many crossed the line since the previous frame.</summary>
    public int Observe(IReadOnlyList<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        var next = new List<Track>(detections.Count);
        var free = new List<Track>(_tracks);
        var crossed = 0;

        // Greedy nearest-centre matching, closest pairs first.
        var pairs = new List<(float Distance, int Detection, Track Track)>();
        for (var d = 0; d < detections.Count; d++)
        {
            var (x, y) = detections[d].Centre;
            foreach (var track in free)
            {
                var distance = MathF.Sqrt(((x - track.X) * (x - track.X)) + ((y - track.Y) * (y - track.Y)));
                if (distance <= maxStep)
                {
                    pairs.Add((distance, d, track));
                }
            }
        }

        var matched = new bool[detections.Count];
        var used = new HashSet<int>();
        foreach (var (_, d, track) in pairs.OrderBy(p => p.Distance))
        {
            if (matched[d] || used.Contains(track.Id))
            {
                continue;
            }

            matched[d] = true;
            used.Add(track.Id);
            var (x, y) = detections[d].Centre;
            var side = Side(x, y);
            if (track.Side != 0 && side != 0 && side != track.Side && CrossesSegment(track.X, track.Y, x, y))
            {
                crossed++;
                if (side < 0)
                {
                    Forward++;
                }
                else
                {
                    Backward++;
                }
            }

            next.Add(new Track(track.Id, x, y, side != 0 ? side : track.Side));
        }

        for (var d = 0; d < detections.Count; d++)
        {
            if (!matched[d])
            {
                var (x, y) = detections[d].Centre;
                next.Add(new Track(_nextId++, x, y, Side(x, y)));
            }
        }

        _tracks = next;
        return crossed;
    }

    // Sign of the cross product (image y grows downwards): -1 on the walker's left, +1 on the right, 0 on the line.
    private int Side(float x, float y) => Math.Sign(((x2 - x1) * (y - y1)) - ((y2 - y1) * (x - x1)));

    private bool CrossesSegment(float ax, float ay, float bx, float by)
    {
        // The step a→b crosses the line's infinite extension (sides differ); check that the crossing point lies on the segment.
        var dx = bx - ax;
        var dy = by - ay;
        var ex = x2 - x1;
        var ey = y2 - y1;
        var denominator = (dx * ey) - (dy * ex);
        if (denominator == 0)
        {
            return false;
        }

        var u = (((x1 - ax) * dy) - ((y1 - ay) * dx)) / denominator;
        return u is >= 0 and <= 1;
    }

    private sealed record Track(int Id, float X, float Y, int Side);
}
