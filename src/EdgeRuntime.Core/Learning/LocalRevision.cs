namespace EdgeRuntime.Core.Learning;

/// <summary>A local revision the on-device learner accepted and activated: what the federated side makes an update of.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="BaseVersion">The global (delivered) version the learner's rounds started from.</param>
/// <param name="Revision">The revision number under that version (1, 2, …; unique per version on this device).</param>
/// <param name="Path">The revision's ONNX file.</param>
/// <param name="Trainable">The initializers the round trained.</param>
/// <param name="Examples">Training examples of the round.</param>
/// <param name="At">When it was accepted.</param>
public sealed record LocalRevision(string Model, long BaseVersion, int Revision, string Path, IReadOnlyList<string> Trainable, long Examples, DateTimeOffset At);
