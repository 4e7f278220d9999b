namespace EdgeRuntime.Core.Models;

/// <summary>
/// Puts an installed model version into service: prepare it for this device (optimise, plan, warm up), then
/// swap it in so that requests move to it without one failing. Delivery calls it after a version is verified
/// and installed, after a rollback, and at start for the version that was serving. Implemented by serving,
/// wired by the daemon.
/// </summary>
public interface IModelActivator
{
    /// <summary>
    /// Prepares <paramref name="model"/> and makes it the one that answers requests for its name. Reports each
    /// step through <paramref name="progress"/>. On failure the version that served before keeps serving.
    /// </summary>
    /// <exception cref="ModelActivationException">The version cannot serve; the message says why in one line, the code why as a value.</exception>
    Task ActivateAsync(InstalledModel model, IProgress<ModelStepProgress> progress, CancellationToken cancellationToken);

    /// <summary>The version answering requests for <paramref name="name"/>, or null when none does.</summary>
    long? ServingVersion(string name);
}

/// <summary>One step of preparing a model, for status and progress events.</summary>
/// <param name="Phase">The step.</param>
/// <param name="Detail">What is happening within it, or null.</param>
public sealed record ModelStepProgress(ModelPhase Phase, string? Detail = null);

/// <summary>A model version could not be put into service; the message is one line naming the model and the cause.</summary>
public sealed class ModelActivationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelActivationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ModelActivationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a code other than <see cref="Delivery.RefusalCode.ActivationFailed"/>.</summary>
    public ModelActivationException(Delivery.RefusalCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>Creates the exception without a message.</summary>
    public ModelActivationException()
    {
    }

    /// <summary>
    /// Why, as a code: <see cref="Delivery.RefusalCode.ActivationFailed"/> by default;
    /// <see cref="Delivery.RefusalCode.IncompatibleWithPipeline"/> when the version does not fit a pipeline that serves
    /// the model; <see cref="Delivery.RefusalCode.DiskFull"/> when its plan could not be written for want of space;
    /// <see cref="Delivery.RefusalCode.StoreDamaged"/> when the file does not match its signed sha256.
    /// </summary>
    public Delivery.RefusalCode Code { get; } = Delivery.RefusalCode.ActivationFailed;
}
