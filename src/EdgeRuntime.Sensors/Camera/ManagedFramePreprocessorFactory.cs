using EdgeRuntime.Core.Vision;

namespace EdgeRuntime.Sensors.Camera;

/// <summary>The C# path behind the frame-preprocessor seam: an <see cref="ImagePreprocessor"/> per setting (they hold nothing to dispose).</summary>
public sealed class ManagedFramePreprocessorFactory : IFramePreprocessorFactory
{
    /// <summary>The one instance.</summary>
    public static ManagedFramePreprocessorFactory Instance { get; } = new();

    /// <inheritdoc />
    public string Description => "C#";

    /// <inheritdoc />
    public IFramePreprocessor For(FramePreprocessing settings) => new ImagePreprocessor(settings);
}
