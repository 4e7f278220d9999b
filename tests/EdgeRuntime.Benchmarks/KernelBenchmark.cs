using System.Diagnostics;
using EdgeRuntime.Core.Compute;
using EdgeRuntime.Core.Vision;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Kernels.Tests.Reference;
using EdgeRuntime.Kernels.Training;
using EdgeRuntime.Kernels.Vision;
using EdgeRuntime.Sensors.Camera;
using EdgeRuntime.Sensors.Samples;
using EdgeRuntime.Sensors.Vision;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// ILGPU kernels against the C# code they replace, in the same run, on the accelerator the device would choose
/// (--accelerator auto|cpu|cuda): camera-frame pre-processing (640×480 and 1920×1080 RGB → 320×240 CHW, the
/// detector stage's current C# path vs the kernel, frame upload and result download included), one Adam step over
/// 10⁴, 10⁵ and 10⁶ parameters (the plain C# loop vs the kernel, with the gradient upload, and with the parameter
/// download too), and UltraFace post-processing (decode + threshold + NMS over 4420 priors). Also the cost of one
/// kernel launch: a tiny reduction launched, waited for and read back, and back-to-back launches with one wait.
/// Both sides are warmed up; then they run in --runs pairs, back to back with the order alternating, each
/// measurement about --ms long; the ratio (C# time / kernel time: above 1 the kernel is faster) is the median of the
/// pairs' ratios with its range.
/// </summary>
internal static class KernelBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var runs = BenchmarkMath.IntOption(args, "--runs", 9);
        var milliseconds = BenchmarkMath.IntOption(args, "--ms", 150);
        var preference = Array.IndexOf(args, "--accelerator") is var at and >= 0 && at + 1 < args.Length
            ? Enum.Parse<KernelPreference>(args[at + 1], ignoreCase: true)
            : KernelPreference.Auto;
        var started = Stopwatch.GetTimestamp();
        using var kernels = KernelAccelerator.Create(preference);
        if (args.Contains("--require") && preference == KernelPreference.Cuda && kernels.Kind != AcceleratorKind.Cuda)
        {
            // On the GPU machine a silent fallback would measure the wrong thing.
            Console.Error.WriteLine($"kernels: CUDA required but not used: {kernels.FallbackReason}");
            return Task.FromResult(3);
        }

        var createMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Console.WriteLine($"machine: {MachineInfo.Describe()}; .NET {Environment.Version}");
        Console.WriteLine($"accelerator: {kernels.Status} (asked: {preference}); created in {createMs:0} ms; launches of up to {kernels.MaxGroups} groups × {kernels.GroupSize} threads");
        Console.WriteLine($"{runs} pairs per row, about {milliseconds} ms per measurement; ratio = C# time / kernel time (> 1: kernel faster), median of the pairs [range]");
        Console.WriteLine();

        Compilation(kernels);
        LaunchOverhead(kernels);
        Console.WriteLine();
        Console.WriteLine("case                                          C# ms      kernel ms   ratio   ratio range");
        foreach (var (width, height) in new[] { (640, 480), (1920, 1080) })
        {
            Preprocessing(kernels, width, height, runs, milliseconds);
        }

        foreach (var n in new[] { 10_000, 100_000, 1_000_000 })
        {
            AdamStep(kernels, n, runs, milliseconds);
        }

        Detection(kernels, runs, milliseconds);
        return Task.FromResult(0);
    }

    /// <summary>Each kernel family is compiled on its first use and kept: what that first use costs.</summary>
    private static void Compilation(KernelAccelerator kernels)
    {
        static double Ms(Action action)
        {
            var t = Stopwatch.GetTimestamp();
            action();
            return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }

        var vectors = Ms(() => _ = kernels.Vectors);
        var optimizer = Ms(() =>
        {
            using var buffer = new ParameterBuffer(kernels, [("w", new float[16])]);
            using var adam = new AdamOptimizer(buffer, new AdamSettings());
            adam.Step();
        });
        var frame = Ms(() =>
        {
            using var pre = new KernelFramePreprocessor(kernels, new FramePreprocessing(320, 240));
        });
        var detection = Ms(() =>
        {
            using var decoder = new KernelDetectionDecoder(kernels, UltraFacePriors.Generate());
        });
        var again = Ms(() =>
        {
            using var pre = new KernelFramePreprocessor(kernels, new FramePreprocessing(320, 240));
        });
        Console.WriteLine($"first use (compiles and caches the kernels): vectors {vectors:0} ms, optimisers {optimizer:0} ms, frame pre-processing {frame:0} ms, detection {detection:0} ms; a second frame pre-processor {again:0.0} ms");
    }

    private static void LaunchOverhead(KernelAccelerator kernels)
    {
        using var one = kernels.Upload([1f]);
        var vectors = kernels.Vectors;
        for (var i = 0; i < 200; i++)
        {
            vectors.L2Norm(one);
        }

        var roundTrips = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            var t = Stopwatch.GetTimestamp();
            vectors.L2Norm(one);
            roundTrips.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
        }

        const int queued = 1000;
        var batches = new List<double>();
        for (var r = 0; r < 5; r++)
        {
            var t = Stopwatch.GetTimestamp();
            for (var i = 0; i < queued; i++)
            {
                vectors.Scale(1f, one);
            }

            kernels.Synchronize();
            batches.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds / queued);
        }

        Console.WriteLine($"launch overhead: one tiny kernel launched, waited for and read back: median {BenchmarkMath.Median(roundTrips):0.0} µs (p90 {Percentile(roundTrips, 0.9):0.0} µs); {queued} launches back to back, one wait: {BenchmarkMath.Median(batches):0.0} µs each");
    }

    private static void Preprocessing(KernelAccelerator kernels, int width, int height, int runs, int milliseconds)
    {
        var pixels = new byte[width * height * 3];
        new Random(width).NextBytes(pixels);
        var frame = new RgbFrame(width, height, pixels, "bench");
        var settings = new FramePreprocessing(320, 240);
        var csharp = new ImagePreprocessor(settings);
        using var kernel = new KernelFramePreprocessor(kernels, settings);

        // Both as the detector stage calls them: a new input array per frame.
        Pair($"pre-process {width}x{height} → 3x240x320", () => csharp.Prepare(frame), () =>
        {
            var input = new float[settings.OutputLength];
            kernel.Prepare(pixels, width, height, input);
        }, runs, milliseconds);
    }

    private static void AdamStep(KernelAccelerator kernels, int n, int runs, int milliseconds)
    {
        var p = RandomFloats(n, 1);
        var g = RandomFloats(n, 2);
        var m = new float[n];
        var v = new float[n];
        var settings = new AdamSettings(1e-3f, WeightDecay: 0.01f);
        using var buffer = new ParameterBuffer(kernels, [("w", p)]);
        using var adam = new AdamOptimizer(buffer, settings);
        var parameters = new float[n];
        long step = 0;
        void CSharp() => ReferenceMath.AdamStep(p, g, m, v, settings.LearningRate, settings.Beta1, settings.Beta2, settings.Epsilon, settings.WeightDecay, true, ++step);
        Pair($"Adam step {n,9:N0} params (+grad upload)", CSharp, () =>
        {
            buffer.SetGradients("w", g);
            adam.Step();
        }, runs, milliseconds);
        Pair($"Adam step {n,9:N0} (+upload +download)", CSharp, () =>
        {
            buffer.SetGradients("w", g);
            adam.Step();
            buffer.CopyParametersTo("w", parameters);
        }, runs, milliseconds);
    }

    private static void Detection(KernelAccelerator kernels, int runs, int milliseconds)
    {
        var priors = UltraFacePriors.Generate();
        var count = priors.Length / 4;
        var random = new Random(3);
        var scores = new float[count * 2];
        var locations = new float[count * 4];
        for (var i = 0; i < count; i++)
        {
            // About 2 % of the priors above 0.7, in clusters of overlapping boxes as on a real frame.
            var face = MathF.Pow(random.NextSingle(), 20);
            (scores[i * 2], scores[(i * 2) + 1]) = (1 - face, face);
        }

        for (var i = 0; i < locations.Length; i++)
        {
            locations[i] = (random.NextSingle() * 2) - 1;
        }

        using var decoder = new KernelDetectionDecoder(kernels, priors);
        var thresholds = new DetectionThresholds(0.7f, 0.3f, 200);
        var reference = new UltraFaceDecoder(0.7f, 0.3f, 200);
        Pair("UltraFace decode+NMS, 4420 priors (~80 over)", () => reference.Decode(scores, SsdBoxDecoder.Decode(locations, priors)), () => decoder.Decode(scores, locations, thresholds), runs, milliseconds);
    }

    private static void Pair(string label, Action csharp, Action kernel, int runs, int milliseconds)
    {
        // Warm-up: JIT tiers on the C# side, kernel compilation and buffer growth on the other; it also sizes the
        // measurements to about --ms each.
        var csharpOnce = Warm(csharp);
        var kernelOnce = Warm(kernel);
        int csharpIterations = Iterations(csharpOnce, milliseconds), kernelIterations = Iterations(kernelOnce, milliseconds);
        var csharpTimes = new List<double>();
        var kernelTimes = new List<double>();
        var ratios = new List<double>();
        for (var r = 0; r < runs; r++)
        {
            double c, k;
            if (r % 2 == 0)
            {
                c = Time(csharp, csharpIterations);
                k = Time(kernel, kernelIterations);
            }
            else
            {
                k = Time(kernel, kernelIterations);
                c = Time(csharp, csharpIterations);
            }

            csharpTimes.Add(c);
            kernelTimes.Add(k);
            ratios.Add(c / k);
        }

        Console.WriteLine($"{label,-44} {BenchmarkMath.Median(csharpTimes),9:0.000}  {BenchmarkMath.Median(kernelTimes),9:0.000}  {BenchmarkMath.Median(ratios),6:0.00}×  [{ratios.Min():0.00}–{ratios.Max():0.00}]");
    }

    private static double Warm(Action action)
    {
        var last = 0.0;
        for (var i = 0; i < 5; i++)
        {
            last = Time(action, 1);
        }

        return last;
    }

    private static int Iterations(double onceMs, int milliseconds) => (int)Math.Clamp(milliseconds / Math.Max(onceMs, 1e-3), 1, 100_000);

    /// <summary>Milliseconds per call over <paramref name="iterations"/> calls.</summary>
    private static double Time(Action action, int iterations)
    {
        var t = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++)
        {
            action();
        }

        return Stopwatch.GetElapsedTime(t).TotalMilliseconds / iterations;
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, q * sorted.Count)];
    }

    private static float[] RandomFloats(int n, int seed)
    {
        var random = new Random(seed);
        var values = new float[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = (random.NextSingle() * 2) - 1;
        }

        return values;
    }
}
