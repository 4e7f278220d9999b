namespace EdgeRuntime.Sensors.Camera;

/// <summary>A folder of images played as a camera.</summary>
public sealed class ImageFolderOptions
{
    /// <summary>The folder. Required. PNG, JPEG, BMP, TGA and PNM (PPM/PGM) files are read, in name order.</summary>
    public string Folder { get; set; } = string.Empty;

    /// <summary>Frames per second; 0 plays as fast as the pipeline takes them. Default 5.</summary>
    public double FramesPerSecond { get; set; } = 5;

    /// <summary>Start again after the last image. Default false.</summary>
    public bool Loop { get; set; }
}
