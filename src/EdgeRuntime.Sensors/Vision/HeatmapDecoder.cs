namespace EdgeRuntime.Sensors.Vision;

/// <summary>
/// Reads a detector whose output is an objectness map [1, 1, rows, columns] over the frame (CenterNet-style heads,
/// or a pooled brightness map): cells above the threshold are grouped into 4-connected blobs, and each blob becomes a
/// box spanning its cells, scored by its strongest cell.
/// </summary>
public sealed record HeatmapDecoder(float Threshold = 0.5f)
{
    /// <summary>The objects in a map of <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    public List<Detection> Decode(ReadOnlySpan<float> map, int rows, int columns)
    {
        if (map.Length != rows * columns)
        {
            throw new InvalidDataException($"objectness map has {map.Length} cells, expected {rows}×{columns}");
        }

        var seen = new bool[map.Length];
        var found = new List<Detection>();
        var stack = new Stack<int>();
        for (var start = 0; start < map.Length; start++)
        {
            if (seen[start] || !(map[start] > Threshold))
            {
                continue;
            }

            int top = rows, left = columns, bottom = -1, right = -1;
            var best = 0f;
            stack.Push(start);
            seen[start] = true;
            while (stack.Count > 0)
            {
                var cell = stack.Pop();
                int r = cell / columns, c = cell % columns;
                (top, left, bottom, right) = (Math.Min(top, r), Math.Min(left, c), Math.Max(bottom, r), Math.Max(right, c));
                best = Math.Max(best, map[cell]);
                foreach (var (nr, nc) in new[] { (r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1) })
                {
                    if (nr >= 0 && nr < rows && nc >= 0 && nc < columns)
                    {
                        var next = (nr * columns) + nc;
                        if (!seen[next] && map[next] > Threshold)
                        {
                            seen[next] = true;
                            stack.Push(next);
                        }
                    }
                }
            }

            found.Add(new Detection((float)left / columns, (float)top / rows, (float)(right + 1) / columns, (float)(bottom + 1) / rows, Math.Min(1f, best)));
        }

        return found;
    }
}
