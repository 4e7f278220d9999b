using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx.Import;
using EdgeRuntime.Graph.Onnx.Protobuf;
using Google.Protobuf;

namespace EdgeRuntime.Graph.Onnx;

/// <summary>Reads ONNX files into the graph IR, refusing anything malformed with an <see cref="OnnxFormatException"/>.</summary>
public static class OnnxModelReader
{
    /// <summary>Reads the model at <paramref name="path"/>; external data is looked up beside it.</summary>
    /// <exception cref="OnnxFormatException">The file is not a model this reader accepts; the message says why.</exception>
    public static Model Read(string path, OnnxReadOptions? options = null)
    {
        options ??= OnnxReadOptions.Default;
        var source = Path.GetFileName(path);
        FileInfo file;
        try
        {
            file = new FileInfo(path);
            if (!file.Exists)
            {
                throw new OnnxFormatException($"{path}: no such file");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new OnnxFormatException($"{path}: cannot be read: {ex.Message}", ex);
        }

        if (file.Length > options.MaxFileBytes)
        {
            throw new OnnxFormatException($"{source}: the file is {file.Length} bytes, more than the limit of {options.MaxFileBytes}");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OnnxFormatException($"{path}: cannot be read: {ex.Message}", ex);
        }

        return Read(bytes, source, Path.GetDirectoryName(Path.GetFullPath(path)), options);
    }

    /// <summary>Reads a model from memory; <paramref name="baseDirectory"/> (may be null) holds its external data.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a model this reader accepts; the message says why.</exception>
    public static Model Read(byte[] bytes, string sourceName, string? baseDirectory, OnnxReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        options ??= OnnxReadOptions.Default;
        if (bytes.LongLength > options.MaxFileBytes)
        {
            throw new OnnxFormatException($"{sourceName}: the model is {bytes.LongLength} bytes, more than the limit of {options.MaxFileBytes}");
        }

        ModelProto proto;
        try
        {
            // Each nested graph costs about four message levels (graph, node, attribute, graph).
            using var input = CodedInputStream.CreateWithLimits(new MemoryStream(bytes, writable: false), Math.Max(1, bytes.Length), (options.MaxGraphDepth * 4) + 16);
            proto = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new OnnxFormatException($"{sourceName}: not a readable ONNX file (truncated or corrupt protobuf: {ex.Message})", ex);
        }

        if (proto.Graph is null)
        {
            throw new OnnxFormatException($"{sourceName}: not an ONNX model (it has no graph)");
        }

        try
        {
            return new ModelImporter(sourceName, baseDirectory, options).Import(proto);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or OverflowException)
        {
            // The IR refused what the file describes (a hostile or corrupted file); say what it refused.
            throw new OnnxFormatException($"{sourceName}: not a valid model: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
    }
}
