using EdgeRuntime.Sensors.Samples;
using StbImageSharp;

namespace EdgeRuntime.Sensors.Camera;

/// <summary>
/// Plays the images of a folder as camera frames (stream = the source's name), decoded to 8-bit RGB. A file that
/// does not decode is skipped and counted, with its name and the reason kept in <see cref="LastError"/>.
/// </summary>
public sealed class ImageFolderSource(string name, ImageFolderOptions options, TimeProvider timeProvider) : ISensorSource
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".tga", ".ppm", ".pgm", ".pnm"];

    /// <summary>Largest image accepted, in pixels, so a hostile header cannot ask for gigabytes.</summary>
    public const long MaxPixels = 40_000_000;

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>Files that could not be decoded.</summary>
    public int Unreadable => _unreadable;

    /// <summary>The last decoding failure: file and reason.</summary>
    public string? LastError { get; private set; }

    private int _unreadable;

    /// <summary>The image files of the folder, in the order they are played.</summary>
    public static List<string> Files(string folder) =>
        [.. Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];

    /// <summary>Decodes one image file to RGB; throws <see cref="InvalidDataException"/> naming the file when it cannot.</summary>
    public static RgbFrame Decode(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            var (width, height) = PnmImage.Size(bytes) ?? ProbedSize(bytes) ?? throw new InvalidDataException($"{Path.GetFileName(path)}: not an image");
            if ((long)width * height > MaxPixels || width <= 0 || height <= 0)
            {
                throw new InvalidDataException($"{Path.GetFileName(path)}: {width}×{height} is larger than {MaxPixels} pixels");
            }

            if (PnmImage.IsPnm(bytes))
            {
                var (w, h, rgb) = PnmImage.Decode(bytes);
                return new RgbFrame(w, h, rgb, Path.GetFileName(path));
            }

            var image = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue);
            return new RgbFrame(image.Width, image.Height, image.Data, Path.GetFileName(path));
        }
        catch (Exception ex) when (ex is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: {ex.Message}", ex);
        }
    }

    private static (int Width, int Height)? ProbedSize(byte[] bytes)
    {
        using var probe = new MemoryStream(bytes);
        return ImageInfo.FromStream(probe) is { } info ? (info.Width, info.Height) : null;
    }

    /// <inheritdoc />
    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var files = Files(options.Folder);
        if (files.Count == 0)
        {
            throw new InvalidDataException($"{options.Folder}: no image files (png, jpg, bmp, tga, ppm, pgm)");
        }

        var start = timeProvider.GetTimestamp();
        var startUtc = timeProvider.GetUtcNow();
        long frame = 0;
        do
        {
            foreach (var file in files)
            {
                if (options.FramesPerSecond > 0)
                {
                    var wait = TimeSpan.FromSeconds(frame / options.FramesPerSecond) - timeProvider.GetElapsedTime(start);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                RgbFrame decoded;
                try
                {
                    decoded = Decode(file);
                }
                catch (Exception ex) when (ex is InvalidDataException or IOException)
                {
                    Interlocked.Increment(ref _unreadable);
                    LastError = ex.Message;
                    continue;
                }

                var captured = startUtc + timeProvider.GetElapsedTime(start);
                sink.Offer(new FrameSample(Name, captured, decoded, timeProvider.GetTimestamp()));
                frame++;
            }
        }
        while (options.Loop && !cancellationToken.IsCancellationRequested);
    }
}
