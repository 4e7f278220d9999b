using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Kernels.Accelerators;

namespace EdgeRuntime.Federated.Device;

/// <summary>
/// Turns a device's training result into a signed update, in the order that keeps the privacy guarantee:
/// <list type="number">
/// <item>Δ = trained − base (the global version training started from), on the kernel accelerator;</item>
/// <item>clip Δ to the L2 bound C (always; McMahan et al. 2018, DP-FedAvg);</item>
/// <item>add N(0, (zC)²) to every value when the noise multiplier z &gt; 0, and account the release (RDP);</item>
/// <item>add the error-feedback residual, compress (8-bit blocks or top-k), and keep what was not sent as the new
/// residual — compression after the noise is post-processing and costs no privacy;</item>
/// <item>sign header and body with the device's key.</item>
/// </list>
/// Stateless apart from the accelerator it borrows; the caller keeps the returned state.
/// </summary>
public sealed class UpdateBuilder(KernelAccelerator accelerator)
{
    /// <summary>Builds the update.</summary>
    /// <param name="request">What the update is of.</param>
    /// <param name="options">Clipping, noise and compression.</param>
    /// <param name="state">The device's residual and privacy accounting so far.</param>
    /// <param name="key">The device's key.</param>
    /// <param name="noise">The noise source (secure on a device).</param>
    /// <exception cref="ArgumentException">The request or options are inconsistent (one line says why).</exception>
    public BuiltUpdate Build(UpdateRequest request, UpdateOptions options, DeviceUpdateState state, DeviceKey key, GaussianNoise noise)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(noise);
        if (options.Check() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var layout = request.Layout;
        if (request.Base.Length != layout.Length || request.Trained.Length != layout.Length)
        {
            throw new ArgumentException($"update of {request.Model}: base has {request.Base.Length} values, trained {request.Trained.Length}, the layout {layout.Length}");
        }

        var delta = new float[layout.Length];
        double norm;
        var modelLength = ControlVariates.ModelLength(layout);
        using (var trained = accelerator.Upload(request.Trained))
        using (var baseline = accelerator.Upload(modelLength == layout.Length ? request.Base : ControlVariates.UpdateBase(request.Base, modelLength)))
        using (var difference = accelerator.Allocate(layout.Length))
        {
            accelerator.Vectors.Difference(trained, baseline, difference);
            if (modelLength == layout.Length)
            {
                norm = accelerator.Vectors.ClipByGlobalNorm([difference], options.ClipNorm);
                difference.CopyTo(delta);
            }
            else
            {
                // SCAFFOLD's control half (the device's cᵢ, its base being 0) is clipped on its own.
                difference.CopyTo(delta);
                var (model, control) = ControlVariates.ClipParts(delta, modelLength, options.ClipNorm);
                norm = double.IsFinite(control) ? model : double.NaN;
            }
        }

        if (!double.IsFinite(norm))
        {
            throw new ArgumentException($"update of {request.Model}: the trained parameters are not finite");
        }

        var privacy = state.Privacy;
        if (options.NoiseMultiplier > 0 && ControlVariates.Has(layout))
        {
            throw new ArgumentException($"update of {request.Model}: Gaussian noise with SCAFFOLD's control variates is not accounted (two halves clipped apart double the sensitivity); send without noise or without control variates");
        }

        if (options.NoiseMultiplier > 0)
        {
            noise.AddTo(delta, options.NoiseMultiplier * options.ClipNorm);
            privacy = privacy.AddGaussianRelease(options.NoiseMultiplier);
        }

        var residual = options.ErrorFeedback && state.Residual is { } kept && kept.Length == layout.Length ? kept : null;
        if (residual is not null)
        {
            for (var i = 0; i < delta.Length; i++)
            {
                delta[i] += residual[i];
            }
        }

        var carried = new float[layout.Length];
        var body = UpdateCodec.EncodeBody(delta, layout, options.Encoding, options.TopKFraction, carried);
        float[]? newResidual = null;
        if (options.ErrorFeedback && options.Encoding != UpdateEncoding.Float32)
        {
            newResidual = new float[layout.Length];
            for (var i = 0; i < delta.Length; i++)
            {
                newResidual[i] = delta[i] - carried[i];
            }
        }

        var header = new UpdateHeader
        {
            UpdateId = request.UpdateId,
            Model = request.Model,
            BaseVersion = request.BaseVersion,
            DeviceId = request.DeviceId,
            Samples = request.Samples,
            CreatedAt = request.CreatedAt,
            ClipNorm = options.ClipNorm,
            NoiseMultiplier = options.NoiseMultiplier,
            Encoding = options.Encoding,
            Tensors = [.. layout.Tensors.Select(t => new TensorEntry(t.Name, t.Length))],
        };
        var signed = UpdateCodec.WriteSignedPart(header, body);
        var bytes = UpdateCodec.AppendSignature(signed, key.Id, key.Sign(signed));
        return new BuiltUpdate(bytes, header, norm, carried, new DeviceUpdateState(newResidual, privacy, state.Updates + 1));
    }
}

/// <summary>What an update is of.</summary>
/// <param name="UpdateId">Unique id.</param>
/// <param name="Model">Model name.</param>
/// <param name="BaseVersion">The global version training started from.</param>
/// <param name="DeviceId">This device.</param>
/// <param name="Samples">Training examples used.</param>
/// <param name="CreatedAt">Now.</param>
/// <param name="Layout">The trained tensors.</param>
/// <param name="Base">The base version's values in <paramref name="Layout"/>.</param>
/// <param name="Trained">The trained values in <paramref name="Layout"/>; with SCAFFOLD's control variates in the layout, the control half is the device's cᵢ, sent as a level (<see cref="ControlVariates"/>).</param>
public sealed record UpdateRequest(string UpdateId, string Model, long BaseVersion, string DeviceId, long Samples, DateTimeOffset CreatedAt, ParameterLayout Layout, float[] Base, float[] Trained);

/// <summary>A built update.</summary>
/// <param name="Bytes">The signed wire bytes.</param>
/// <param name="Header">Its header.</param>
/// <param name="NormBeforeClip">‖Δ‖₂ before clipping.</param>
/// <param name="Carried">The delta a receiver decodes.</param>
/// <param name="State">The device's state after it (save it).</param>
public sealed record BuiltUpdate(byte[] Bytes, UpdateHeader Header, double NormBeforeClip, float[] Carried, DeviceUpdateState State);
