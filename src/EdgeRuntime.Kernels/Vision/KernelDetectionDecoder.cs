using EdgeRuntime.Kernels.Accelerators;
using ILGPU;
using ILGPU.Runtime;

namespace EdgeRuntime.Kernels.Vision;

/// <summary>
/// Detector post-processing on the accelerator for SSD-style heads (UltraFace's raw outputs): score threshold, box
/// decode against priors, and greedy non-maximum suppression. The same selection as the C# path
/// (EdgeRuntime.Sensors.Vision.SsdBoxDecoder, then UltraFaceDecoder and NonMaxSuppression): candidates best first
/// (ties by prior order), a box kept unless a kept one overlaps it by IoU above the threshold, at most
/// <see cref="DetectionThresholds.MaxDetections"/>.
/// </summary>
/// <remarks>
/// Two launches: threshold + decode + compaction (one thread per prior), then the pairwise suppression mask over the
/// sorted candidates (one thread per 64-candidate word, as torchvision's CUDA NMS); the host sorts the candidates
/// and scans the mask. Thread-safe (calls queue on the accelerator); the owner disposes it before the accelerator.
/// </remarks>
public sealed class KernelDetectionDecoder : IDisposable
{
    private readonly KernelAccelerator _kernels;
    private readonly DetectionKernels _compiled;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _priors;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _scores;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _locations;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _boxes;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _candidates;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _order;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _count;
    private readonly int _classes;
    private readonly int _objectClass;
    private readonly float _centerVariance;
    private readonly float _sizeVariance;
    private MemoryBuffer1D<ulong, Stride1D.Dense>? _mask;

    /// <summary>Uploads the priors and compiles the kernels (once per accelerator).</summary>
    /// <param name="kernels">The accelerator.</param>
    /// <param name="priors">Priors in centre-size form (cx, cy, w, h), 4 floats each, at least one.</param>
    /// <param name="classes">Scores per prior (2 for UltraFace: background, face).</param>
    /// <param name="objectClass">The score column that is the object's (1 for UltraFace).</param>
    /// <param name="centerVariance">SSD centre variance. Default 0.1.</param>
    /// <param name="sizeVariance">SSD size variance. Default 0.2.</param>
    /// <exception cref="ArgumentException">Priors not a positive multiple of 4, or the class column out of range.</exception>
    public KernelDetectionDecoder(KernelAccelerator kernels, ReadOnlySpan<float> priors, int classes = 2, int objectClass = 1, float centerVariance = 0.1f, float sizeVariance = 0.2f)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        if (priors.IsEmpty || priors.Length % 4 != 0)
        {
            throw new ArgumentException($"detection decoder: {priors.Length} prior values is not a positive multiple of 4");
        }

        if (classes < 1 || objectClass < 0 || objectClass >= classes)
        {
            throw new ArgumentException($"detection decoder: object class {objectClass} of {classes} scores per prior");
        }

        _kernels = kernels;
        _classes = classes;
        _objectClass = objectClass;
        _centerVariance = centerVariance;
        _sizeVariance = sizeVariance;
        PriorCount = priors.Length / 4;
        _compiled = kernels.Family(DetectionKernels.Load);
        using var scope = kernels.Enter();
        var accelerator = kernels.Accelerator;
        _priors = accelerator.Allocate1D<float>(priors.Length);
        HostCopies.CopyFrom(_kernels, _priors, 0, priors);
        _scores = accelerator.Allocate1D<float>(PriorCount * classes);
        _locations = accelerator.Allocate1D<float>(priors.Length);
        _boxes = accelerator.Allocate1D<float>(priors.Length);
        _candidates = accelerator.Allocate1D<int>(PriorCount);
        _order = accelerator.Allocate1D<int>(PriorCount);
        _count = accelerator.Allocate1D<int>(1);
    }

    /// <summary>Priors the decoder was made for.</summary>
    public int PriorCount { get; }

    /// <summary>The detections of one image, best first.</summary>
    /// <param name="scores">Scores [priors, classes], row-major.</param>
    /// <param name="locations">Box regressions [priors, 4].</param>
    /// <param name="thresholds">Score and IoU thresholds, the most to keep.</param>
    /// <exception cref="InvalidDataException">Outputs whose sizes disagree with the priors (one line naming which).</exception>
    public IReadOnlyList<DetectedBox> Decode(ReadOnlySpan<float> scores, ReadOnlySpan<float> locations, DetectionThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        thresholds.Validate();
        if (scores.Length != PriorCount * _classes || locations.Length != PriorCount * 4)
        {
            throw new InvalidDataException($"detection decoder: {scores.Length} scores and {locations.Length} box values for {PriorCount} priors of {_classes} classes");
        }

        using var scope = _kernels.Enter();
        HostCopies.CopyFrom(_kernels, _scores, 0, scores);
        HostCopies.CopyFrom(_kernels, _locations, 0, locations);
        _count.MemSetToZero();
        var scalars = new DetectionScalars(PriorCount, _classes, _objectClass, thresholds.ScoreThreshold, _centerVariance, _sizeVariance);
        _compiled.DecodeSelect(_kernels.Launch(PriorCount), _scores.View, _locations.View, _priors.View, _boxes.View, _candidates.View, _count.View, scalars);
        Span<int> counted = stackalloc int[1];
        HostCopies.CopyTo(_kernels, _count, 0, counted);
        var n = counted[0];
        if (n == 0)
        {
            return [];
        }

        // Best first, ties in prior order: the order a stable sort by descending score gives the C# path.
        var order = new int[n];
        HostCopies.CopyTo(_kernels, _candidates, 0, order.AsSpan());
        var keys = new (float Score, int Prior)[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = (scores[(order[i] * _classes) + _objectClass], order[i]);
        }

        Array.Sort(keys, static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Prior.CompareTo(b.Prior));
        for (var i = 0; i < n; i++)
        {
            order[i] = keys[i].Prior;
        }

        var words = (n + DetectionKernelBodies.WordBits - 1) / DetectionKernelBodies.WordBits;
        var mask = new ulong[n * words];
        if (n > 1)
        {
            HostCopies.CopyFrom(_kernels, _order, 0, order.AsSpan());
            if (_mask is null || _mask.Length < mask.Length)
            {
                _mask?.Dispose();
                _mask = _kernels.Accelerator.Allocate1D<ulong>(mask.Length);
            }

            _compiled.SuppressionMask(_kernels.Launch(mask.Length), _boxes.View, _order.View, _mask.View, n, words, thresholds.IouThreshold);
            HostCopies.CopyTo(_kernels, _mask, 0, mask.AsSpan());
        }

        var kept = new List<int>();
        var removed = new ulong[words];
        for (var row = 0; row < n && kept.Count < thresholds.MaxDetections; row++)
        {
            if ((removed[row / DetectionKernelBodies.WordBits] & (1UL << (row % DetectionKernelBodies.WordBits))) != 0)
            {
                continue;
            }

            kept.Add(order[row]);
            for (var w = 0; w < words; w++)
            {
                removed[w] |= mask[(row * words) + w];
            }
        }

        // One copy of every box beats one small copy per kept box (each a synchronised transfer on a GPU).
        var boxes = new float[PriorCount * 4];
        HostCopies.CopyTo(_kernels, _boxes, 0, boxes.AsSpan());
        var result = new List<DetectedBox>(kept.Count);
        foreach (var prior in kept)
        {
            var at = prior * 4;
            result.Add(new DetectedBox(boxes[at], boxes[at + 1], boxes[at + 2], boxes[at + 3], scores[(prior * _classes) + _objectClass], prior));
        }

        return result;
    }

    /// <summary>Frees the device buffers.</summary>
    public void Dispose()
    {
        foreach (var buffer in new MemoryBuffer?[] { _priors, _scores, _locations, _boxes, _candidates, _order, _count, _mask })
        {
            if (buffer is not null)
            {
                _kernels.Release(buffer);
            }
        }
    }

    /// <summary>The compiled kernels of one accelerator.</summary>
    private sealed class DetectionKernels
    {
        private DetectionKernels(Accelerator accelerator)
        {
            DecodeSelect = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, DetectionScalars>(DetectionKernelBodies.DecodeSelect);
            SuppressionMask = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<ulong>, int, int, float>(DetectionKernelBodies.SuppressionMask);
        }

        public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, DetectionScalars> DecodeSelect { get; }

        public Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<ulong>, int, int, float> SuppressionMask { get; }

        public static DetectionKernels Load(KernelAccelerator kernels) => new(kernels.Accelerator);
    }
}
