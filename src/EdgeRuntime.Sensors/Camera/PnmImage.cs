namespace EdgeRuntime.Sensors.Camera;

/// <summary>
/// Binary PNM images (P5 grey, P6 RGB, 8-bit): the raw format frame grabbers and test rigs write, which the
/// general decoder does not read. Header: magic, width, height, maxval (comments after '#'), one whitespace, pixels.
/// </summary>
public static class PnmImage
{
    /// <summary>Whether <paramref name="bytes"/> start like a binary PNM file.</summary>
    public static bool IsPnm(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == (byte)'P' && bytes[1] is (byte)'5' or (byte)'6';

    /// <summary>Width and height from the header, without reading pixels; null when the header is incomplete.</summary>
    public static (int Width, int Height)? Size(ReadOnlySpan<byte> bytes) =>
        Header(bytes) is { } header ? (header.Width, header.Height) : null;

    /// <summary>Decodes to 8-bit RGB (grey is replicated into the three channels).</summary>
    /// <exception cref="InvalidDataException">Not an 8-bit binary PNM, or truncated.</exception>
    public static (int Width, int Height, byte[] Rgb) Decode(ReadOnlySpan<byte> bytes)
    {
        var header = Header(bytes) ?? throw new InvalidDataException("incomplete PNM header");
        if (header.MaxValue is < 1 or > 255)
        {
            throw new InvalidDataException($"PNM maxval {header.MaxValue}: only 8-bit images are read");
        }

        var channels = bytes[1] == (byte)'6' ? 3 : 1;
        var needed = (long)header.Width * header.Height * channels;
        if (bytes.Length - header.DataOffset < needed)
        {
            throw new InvalidDataException($"PNM truncated: {bytes.Length - header.DataOffset} pixel bytes, {needed} expected");
        }

        var pixels = bytes.Slice(header.DataOffset, (int)needed);
        if (channels == 3)
        {
            return (header.Width, header.Height, pixels.ToArray());
        }

        var rgb = new byte[needed * 3];
        for (var i = 0; i < pixels.Length; i++)
        {
            rgb[i * 3] = rgb[(i * 3) + 1] = rgb[(i * 3) + 2] = pixels[i];
        }

        return (header.Width, header.Height, rgb);
    }

    private static (int Width, int Height, int MaxValue, int DataOffset)? Header(ReadOnlySpan<byte> bytes)
    {
        if (!IsPnm(bytes))
        {
            return null;
        }

        Span<long> numbers = stackalloc long[3];
        var found = 0;
        var at = 2;
        while (found < 3 && at < bytes.Length)
        {
            if (bytes[at] == (byte)'#')
            {
                while (at < bytes.Length && bytes[at] != (byte)'\n')
                {
                    at++;
                }
            }
            else if (char.IsAsciiDigit((char)bytes[at]))
            {
                long value = 0;
                while (at < bytes.Length && char.IsAsciiDigit((char)bytes[at]))
                {
                    value = Math.Min((value * 10) + (bytes[at++] - (byte)'0'), int.MaxValue);
                }

                numbers[found++] = value;
                continue;
            }

            at++;
        }

        // Exactly one whitespace byte separates the header from the pixels.
        return found == 3 && at < bytes.Length ? ((int)numbers[0], (int)numbers[1], (int)numbers[2], at + 1) : null;
    }
}
