using System.Text;

namespace EdgeRuntime.Pipelines.Tests;

/// <summary>Binary PPM (P6) files written for camera tests.</summary>
internal static class TestImages
{
    public static void WritePpm(string path, int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        using var file = File.Create(path);
        file.Write(Encoding.ASCII.GetBytes($"P6\n{width} {height}\n255\n"));
        var row = new byte[width * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                row[x * 3] = r;
                row[(x * 3) + 1] = g;
                row[(x * 3) + 2] = b;
            }

            file.Write(row);
        }
    }
}
