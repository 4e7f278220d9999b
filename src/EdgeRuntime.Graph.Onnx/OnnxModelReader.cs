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
    public static Model Read(string path, OnnxReadOptions? options = null) => Read(path, out _, options);

    /// <summary>Reads the model at <paramref name="path"/> and hands back the file's bytes too (<paramref name="bytes"/>), so a caller that needs both reads a large file once.</summary>
    /// <exception cref="OnnxFormatException">The file is not a model this reader accepts; the message says why.</exception>
    public static Model Read(string path, out byte[] bytes, OnnxReadOptions? options = null)
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

        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OnnxFormatException($"{path}: cannot be read: {ex.Message}", ex);
        }

        // The caller holds the bytes and may check them (OnnxModelChecker) before using them: the parse is handed on.
        return Read(bytes, source, Path.GetDirectoryName(Path.GetFullPath(path)), options, keepParse: ReferenceEquals(options, OnnxReadOptions.Default));
    }

    /// <summary>Reads a model from memory; <paramref name="baseDirectory"/> (may be null) holds its external data.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a model this reader accepts; the message says why.</exception>
    public static Model Read(byte[] bytes, string sourceName, string? baseDirectory, OnnxReadOptions? options = null) =>
        Read(bytes, sourceName, baseDirectory, options ?? OnnxReadOptions.Default, keepParse: false);

    private static Model Read(byte[] bytes, string sourceName, string? baseDirectory, OnnxReadOptions options, bool keepParse)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.LongLength > options.MaxFileBytes)
        {
            throw new OnnxFormatException($"{sourceName}: the model is {bytes.LongLength} bytes, more than the limit of {options.MaxFileBytes}");
        }

        ModelProto proto;
        try
        {
            proto = Parse(bytes, options);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new OnnxFormatException($"{sourceName}: not a readable ONNX file (truncated or corrupt protobuf: {ex.Message})", ex);
        }

        var model = Import(proto, sourceName, baseDirectory, options);
        if (keepParse)
        {
            ParseHandOff.Keep(bytes, proto);
        }

        return model;
    }

    /// <summary>Parses the protobuf under the reader's limits (message nesting bounded by <see cref="OnnxReadOptions.MaxGraphDepth"/>).</summary>
    /// <exception cref="InvalidProtocolBufferException">Corrupt, truncated, or nested deeper than the limits allow.</exception>
    internal static ModelProto Parse(byte[] bytes, OnnxReadOptions options)
    {
        // Each nested graph costs about four message levels (graph, node, attribute, graph).
        using var input = CodedInputStream.CreateWithLimits(new MemoryStream(bytes, writable: false), Math.Max(1, bytes.Length), (options.MaxGraphDepth * 4) + 16);
        return ModelProto.Parser.ParseFrom(input);
    }

    /// <summary>
    /// Reads a model already parsed by <see cref="Parse"/> from bytes of at most <see cref="OnnxReadOptions.MaxFileBytes"/>
    /// (what <see cref="Read(byte[], string, string?, OnnxReadOptions?)"/> does after parsing): a caller that needs the
    /// protobuf too parses once. The proto is not changed.
    /// </summary>
    /// <exception cref="OnnxFormatException">The proto is not a model this reader accepts; the message says why.</exception>
    internal static Model Import(ModelProto proto, string sourceName, string? baseDirectory, OnnxReadOptions options)
    {
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
