using System.Security.Cryptography;

namespace EdgeRuntime.Federated.Privacy;

/// <summary>
/// Standard normal samples for the Gaussian mechanism, by the Box–Muller transform. <see cref="Secure"/> draws its
/// uniforms from the operating system's cryptographic generator (what a device uses: a predictable generator would let
/// an observer subtract the noise); <see cref="Seeded"/> is reproducible, for simulations. Not thread-safe.
/// </summary>
public sealed class GaussianNoise
{
    private readonly Func<double> _uniform;
    private double? _spare;

    private GaussianNoise(Func<double> uniform) => _uniform = uniform;

    /// <summary>Noise from the OS's cryptographic random number generator.</summary>
    public static GaussianNoise Secure() => new(() =>
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);

        // 53 random bits → a double in [0, 1).
        return (BitConverter.ToUInt64(bytes) >> 11) * (1.0 / (1UL << 53));
    });

    /// <summary>Reproducible noise (simulations and tests only).</summary>
    public static GaussianNoise Seeded(int seed)
    {
        var random = new Random(seed);
        return new GaussianNoise(random.NextDouble);
    }

    /// <summary>One N(0, 1) sample.</summary>
    public double Next()
    {
        if (_spare is { } spare)
        {
            _spare = null;
            return spare;
        }

        var u1 = 1.0 - _uniform();
        var u2 = _uniform();
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = radius * Math.Sin(2.0 * Math.PI * u2);
        return radius * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Adds N(0, <paramref name="sigma"/>²) to every value.</summary>
    public void AddTo(Span<float> values, double sigma)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] += (float)(sigma * Next());
        }
    }
}
