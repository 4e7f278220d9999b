using System.Diagnostics;
using System.Globalization;
using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// One training step of the traffic forecaster (issue 11, item 5): the derived training graph on ONNX Runtime with the
/// Adam update on ILGPU kernels (the <see cref="Trainer"/>, as the daemon runs it) against the same step written as
/// plain C# loops (forward, MAE backward, Adam), same batches, same run, in alternating pairs. Then peak memory
/// (VmHWM) of a process that serves the forecaster against one that trains its head and biases, each measured in a
/// child process of its own, beside a baseline process that only loads ONNX Runtime.
/// </summary>
internal static class TrainingStepBenchmark
{
    private const int Batch = 256;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--memory-child", var mode, ..])
        {
            return MemoryChild(mode);
        }

        var steps = BenchmarkMath.IntOption(args, "--steps", 400);
        var pairs = BenchmarkMath.IntOption(args, "--runs", 5);
        var spec = LaneSpec();
        var model = TrafficForecasterBuilder.Build(spec, new ForecasterArchitecture(64));
        var data = RandomWindows(spec, steps * Batch, seed: 7);
        Console.WriteLine($"machine: {MachineInfo.Describe()}, ONNX Runtime {OrtEnv.Instance().GetVersionString()}; updates on {KernelUpdaters.Status}");
        Console.WriteLine($"forecaster: window {spec.Window}x{spec.RowWidth}, hidden 64, {spec.Horizons.Count} horizons, every parameter trained; batch {Batch}, {steps} steps a run, {pairs} pairs after a warm-up of each side");

        var options = new TrainingOptions { Epochs = 1, BatchSize = Batch, ValidationFraction = 0, ClipNorm = 1, IntraOpThreads = 1 };
        var trainer = new Trainer(KernelUpdaters.Create);
        var request = new TrainingRequest(TrafficForecasterBuilder.AllParameters, LossKind.MeanAbsoluteError);
        double Ort() => Time(() => trainer.Train(model, request, data, options)) / steps;
        double Managed() => Time(() => new ManagedForecasterTrainer(model, spec).Train(data, Batch, 1e-3f)) / steps;

        Ort();
        Managed();
        var ort = new List<double>();
        var managed = new List<double>();
        for (var pair = 0; pair < pairs; pair++)
        {
            if (pair % 2 == 0)
            {
                ort.Add(Ort());
                managed.Add(Managed());
            }
            else
            {
                managed.Add(Managed());
                ort.Add(Ort());
            }
        }

        var ratios = ort.Zip(managed, (o, m) => o / m).ToList();
        Console.WriteLine();
        Console.WriteLine("| step | median ms / step | range |");
        Console.WriteLine("| --- | --- | --- |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| derived graph on ONNX Runtime + ILGPU Adam | {BenchmarkMath.Median(ort):0.000} | {ort.Min():0.000}–{ort.Max():0.000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| plain C# loops (forward, backward, Adam) | {BenchmarkMath.Median(managed):0.000} | {managed.Min():0.000}–{managed.Max():0.000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio ONNX Runtime / C#: median {BenchmarkMath.Median(ratios):0.00}× (pairs {ratios.Min():0.00}–{ratios.Max():0.00}×)"));

        Console.WriteLine();
        var baseline = await ChildPeakAsync("baseline");
        var inference = await ChildPeakAsync("inference");
        var training = await ChildPeakAsync("training");
        Console.WriteLine("| process (peak resident memory, VmHWM) | MB | above the baseline |");
        Console.WriteLine("| --- | --- | --- |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| baseline: ONNX Runtime loaded, nothing run | {baseline / 1e6:0.0} | |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| serving: the forecaster's session, 200 batches of {Batch} | {inference / 1e6:0.0} | {(inference - baseline) / 1e6:0.0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| training head and biases: training session, parameter buffer, 200 steps of {Batch} | {training / 1e6:0.0} | {(training - baseline) / 1e6:0.0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training / serving: {(double)training / inference:0.00}× whole process (goal ≤ 2×), {(double)(training - baseline) / Math.Max(1, inference - baseline):0.00}× counting only what each adds to the baseline (training also loads ILGPU and compiles its kernels)"));
        return 0;
    }

    private static FeatureSpec LaneSpec() => new()
    {
        Metrics = ["count", "occupancy", "speedKmh"],
        Mean = [1.2, 0.07, 50],
        Std = [1.7, 0.1, 6.4],
        Window = 12,
        Target = "count",
        Horizons = [1, 3, 6, 12],
        Profile = new SeasonalProfileSpec { Offsets = [0, 1, 3, 6, 12] },
    };

    private static double Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static WindowData RandomWindows(FeatureSpec spec, int count, int seed)
    {
        var random = new Random(seed);
        var size = spec.Window * spec.RowWidth;
        var windows = new float[count * size];
        var targets = new float[count * spec.Horizons.Count];
        for (var i = 0; i < windows.Length; i++)
        {
            windows[i] = (float)((random.NextDouble() * 2) - 1);
        }

        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return new WindowData(windows, targets, spec.Window, spec.RowWidth, spec.Horizons.Count);
    }

    // A child process measures its own peak resident memory, so the parent's allocations do not count.
    private static async Task<long> ChildPeakAsync(string mode)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!, ["training", "--memory-child", mode]) { RedirectStandardOutput = true };
        using var child = Process.Start(info)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        return long.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    private static int MemoryChild(string mode)
    {
        var spec = LaneSpec();
        var model = TrafficForecasterBuilder.Build(spec, new ForecasterArchitecture(64));
        var data = RandomWindows(spec, 200 * Batch, seed: 3);
        _ = OrtEnv.Instance();
        if (mode == "inference")
        {
            using var session = ModelSession.Create(Graph.Onnx.OnnxModelWriter.ToBytes(model), new SessionSettings { IntraOpThreads = 1 });
            var batch = new float[Batch * spec.Window * spec.RowWidth];
            for (var b = 0; b < 200; b++)
            {
                for (var i = 0; i < Batch; i++)
                {
                    data.Input((b * Batch) + i).CopyTo(batch.AsSpan(i * spec.Window * spec.RowWidth));
                }

                session.RunFloat(TrafficForecasterBuilder.Input, batch, [Batch, spec.Window, spec.RowWidth]);
            }
        }
        else if (mode == "training")
        {
            var options = new TrainingOptions { Epochs = 1, BatchSize = Batch, ValidationFraction = 0, IntraOpThreads = 1 };
            new Trainer(KernelUpdaters.Create).Train(model, new TrainingRequest(TrainableSelection.DefaultHead(model), LossKind.MeanAbsoluteError), data, options);
        }

        Console.WriteLine(PeakResidentBytes().ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    private static long PeakResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private sealed class WindowData(float[] windows, float[] targets, int rows, int width, int horizons) : SupervisedData
    {
        public override int Count => targets.Length / horizons;

        public override string InputName => TrafficForecasterBuilder.Input;

        public override IReadOnlyList<long> InputShape => [rows, width];

        public override IReadOnlyList<long> TargetShape => [horizons];

        public override ReadOnlySpan<float> Input(int index) => windows.AsSpan(index * rows * width, rows * width);

        public override ReadOnlySpan<float> Target(int index) => targets.AsSpan(index * horizons, horizons);

        public override ReadOnlySpan<float> Weight(int index) => Ones.AsSpan(0, horizons);

        private static readonly float[] Ones = [1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f];
    }

    /// <summary>
    /// The forecaster's training step by hand: relative window → hidden ReLU layer → head plus linear skip plus the last
    /// value; weighted MAE; gradients by the chain rule; clipping to norm 1; Adam (β 0.9/0.999, decoupled decay 1e-4).
    /// </summary>
    private sealed class ManagedForecasterTrainer
    {
        private readonly float[][] _p;
        private readonly float[][] _g;
        private readonly float[][] _m;
        private readonly float[][] _v;
        private readonly float[] _mask;
        private readonly int _rows;
        private readonly int _width;
        private readonly int _target;
        private readonly int _inputs;
        private readonly int _hidden;
        private readonly int _outputs;
        private int _step;

        public ManagedForecasterTrainer(Model model, FeatureSpec spec)
        {
            float[] Get(string name) => model.Graph.FindValue(name)!.Initializer!.AsSpan<float>().ToArray();
            _p = [Get(TrafficForecasterBuilder.Parameters.HiddenWeights), Get(TrafficForecasterBuilder.Parameters.HiddenBias), Get(TrafficForecasterBuilder.Parameters.OutputWeights), Get(TrafficForecasterBuilder.Parameters.OutputBias), Get(TrafficForecasterBuilder.Parameters.SkipWeights)];
            _g = [.. _p.Select(p => new float[p.Length])];
            _m = [.. _p.Select(p => new float[p.Length])];
            _v = [.. _p.Select(p => new float[p.Length])];
            _mask = TrafficForecasterBuilder.RelativeMask(spec);
            _rows = spec.Window;
            _width = spec.RowWidth;
            _target = spec.TargetColumn;
            _inputs = _rows * _width;
            _hidden = _p[1].Length;
            _outputs = _p[3].Length;
        }

        public void Train(SupervisedData data, int batch, float learningRate)
        {
            var x = new float[batch * _inputs];
            var h = new float[batch * _hidden];
            var dh = new float[batch * _hidden];
            var y = new float[batch * _outputs];
            var last = new float[batch];
            for (var start = 0; start + batch <= data.Count; start += batch)
            {
                foreach (var g in _g)
                {
                    Array.Clear(g);
                }

                // Forward.
                for (var i = 0; i < batch; i++)
                {
                    var window = data.Input(start + i);
                    last[i] = window[((_rows - 1) * _width) + _target];
                    for (var k = 0; k < _inputs; k++)
                    {
                        x[(i * _inputs) + k] = window[k] - (last[i] * _mask[k % _width]);
                    }
                }

                for (var i = 0; i < batch; i++)
                {
                    var hi = h.AsSpan(i * _hidden, _hidden);
                    _p[1].CopyTo(hi);
                    for (var k = 0; k < _inputs; k++)
                    {
                        var xk = x[(i * _inputs) + k];
                        var row = _p[0].AsSpan(k * _hidden, _hidden);
                        for (var j = 0; j < _hidden; j++)
                        {
                            hi[j] += xk * row[j];
                        }
                    }

                    for (var j = 0; j < _hidden; j++)
                    {
                        hi[j] = MathF.Max(0, hi[j]);
                    }

                    for (var o = 0; o < _outputs; o++)
                    {
                        var sum = _p[3][o] + last[i];
                        for (var j = 0; j < _hidden; j++)
                        {
                            sum += hi[j] * _p[2][(j * _outputs) + o];
                        }

                        for (var k = 0; k < _inputs; k++)
                        {
                            sum += x[(i * _inputs) + k] * _p[4][(k * _outputs) + o];
                        }

                        y[(i * _outputs) + o] = sum;
                    }
                }

                // Backward of the weighted MAE: d loss / d y = w · sign(y − t) / Σ w.
                var weightSum = 0f;
                for (var i = 0; i < batch; i++)
                {
                    foreach (var w in data.Weight(start + i))
                    {
                        weightSum += w;
                    }
                }

                Array.Clear(dh);
                for (var i = 0; i < batch; i++)
                {
                    var t = data.Target(start + i);
                    var w = data.Weight(start + i);
                    for (var o = 0; o < _outputs; o++)
                    {
                        var gy = w[o] * MathF.Sign(y[(i * _outputs) + o] - t[o]) / weightSum;
                        if (gy == 0)
                        {
                            continue;
                        }

                        _g[3][o] += gy;
                        for (var j = 0; j < _hidden; j++)
                        {
                            _g[2][(j * _outputs) + o] += h[(i * _hidden) + j] * gy;
                            dh[(i * _hidden) + j] += _p[2][(j * _outputs) + o] * gy;
                        }

                        for (var k = 0; k < _inputs; k++)
                        {
                            _g[4][(k * _outputs) + o] += x[(i * _inputs) + k] * gy;
                        }
                    }

                    for (var j = 0; j < _hidden; j++)
                    {
                        if (h[(i * _hidden) + j] <= 0)
                        {
                            dh[(i * _hidden) + j] = 0;
                        }
                    }

                    var dhi = dh.AsSpan(i * _hidden, _hidden);
                    for (var j = 0; j < _hidden; j++)
                    {
                        _g[1][j] += dhi[j];
                    }

                    for (var k = 0; k < _inputs; k++)
                    {
                        var xk = x[(i * _inputs) + k];
                        var row = _g[0].AsSpan(k * _hidden, _hidden);
                        for (var j = 0; j < _hidden; j++)
                        {
                            row[j] += xk * dhi[j];
                        }
                    }
                }

                Step(learningRate);
            }
        }

        private void Step(float learningRate)
        {
            double norm = 0;
            foreach (var g in _g)
            {
                foreach (var v in g)
                {
                    norm += (double)v * v;
                }
            }

            var scale = Math.Sqrt(norm) > 1 ? (float)(1 / Math.Sqrt(norm)) : 1f;
            _step++;
            var c1 = 1 - MathF.Pow(0.9f, _step);
            var c2 = 1 - MathF.Pow(0.999f, _step);
            for (var t = 0; t < _p.Length; t++)
            {
                var (p, g, m, v) = (_p[t], _g[t], _m[t], _v[t]);
                for (var i = 0; i < p.Length; i++)
                {
                    var gi = g[i] * scale;
                    m[i] = (0.9f * m[i]) + (0.1f * gi);
                    v[i] = (0.999f * v[i]) + (0.001f * gi * gi);
                    p[i] -= learningRate * ((m[i] / c1 / (MathF.Sqrt(v[i] / c2) + 1e-8f)) + (1e-4f * p[i]));
                }
            }
        }
    }
}
