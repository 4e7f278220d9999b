using System.Globalization;
using System.Text;

namespace EdgeRuntime.Graph.Onnx;

/// <summary>
/// An ONNX file cannot be read (truncated, corrupt, hostile, or outside the limits). The message is one
/// line that names the file and the offending part; names copied from the file have control characters
/// escaped, so a hostile file cannot break the line or forge log entries.
/// </summary>
public sealed class OnnxFormatException(string message, Exception? inner = null) : Exception(OneLine(message), inner)
{
    private const int MaxLength = 1000;

    private static string OneLine(string message)
    {
        var text = new StringBuilder(Math.Min(message.Length, MaxLength));
        foreach (var c in message)
        {
            if (text.Length >= MaxLength)
            {
                text.Append('…');
                break;
            }

            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                text.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
