namespace EdgeRuntime.Kernels.Tests.Backends;

/// <summary>Seeded random inputs.</summary>
public static class RandomData
{
    /// <summary>The sizes every vector kernel is checked at: empty, one, small odd, around group and word boundaries, and large.</summary>
    public static TheoryData<int> Sizes => [0, 1, 2, 3, 17, 63, 64, 65, 1023, 1025, 65_537, 1_000_003];

    /// <summary>Uniform in [−scale, scale).</summary>
    public static float[] Floats(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = ((random.NextSingle() * 2) - 1) * scale;
        }

        return values;
    }

    /// <summary>Random RGB bytes of a <paramref name="width"/> × <paramref name="height"/> frame.</summary>
    public static byte[] Frame(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        new Random(seed).NextBytes(pixels);
        return pixels;
    }
}
