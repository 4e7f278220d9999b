using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EdgeRuntime.Core.IO;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Broker;

/// <summary>
/// The embedded broker's retained messages on disk, one file per topic (<c>{sha256 of the topic}.msg</c>), each
/// written atomically and durably (<see cref="AtomicFile"/>) before the broker acknowledges the publish — so what the
/// fleet left retained (model offers, chunks) survives a kill -9 of the daemon, and a PUBACK from this broker means the
/// message is on disk. An empty retained message deletes the topic's file. A file that does not read back (torn by a
/// crash of the file system itself) is skipped with its name in the log. Payload, QoS, content type and response
/// topic are kept; user properties are not. Thread-safe for distinct topics (the broker serialises changes).
/// </summary>
public sealed class RetainedMessageStore
{
    private const uint Magic = 0x45524d31; // "ERM1"
    private const string Extension = ".msg";

    /// <summary>Uses (and creates) <paramref name="folder"/>.</summary>
    public RetainedMessageStore(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The folder the messages live in.</summary>
    public string Folder { get; }

    /// <summary>Every retained message on disk; <paramref name="unreadable"/> names the files skipped.</summary>
    public List<MqttApplicationMessage> Load(out IReadOnlyList<string> unreadable)
    {
        var messages = new List<MqttApplicationMessage>();
        var skipped = new List<string>();
        foreach (var path in Directory.EnumerateFiles(Folder, "*" + Extension))
        {
            try
            {
                messages.Add(Decode(File.ReadAllBytes(path)));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException)
            {
                skipped.Add($"{Path.GetFileName(path)} ({ex.Message})");
            }
        }

        unreadable = skipped;
        return messages;
    }

    /// <summary>Stores <paramref name="message"/> as its topic's retained message, or deletes it when the payload is empty.</summary>
    /// <exception cref="IOException">The write failed (a full disk); the previous file stays.</exception>
    public void Save(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var path = PathOf(message.Topic);
        if (message.Payload.IsEmpty)
        {
            if (File.Exists(path))
            {
                File.Delete(path);
                AtomicFile.FlushDirectory(Folder);
            }

            return;
        }

        AtomicFile.WriteAllBytes(path, Encode(message));
    }

    /// <summary>Deletes every retained message.</summary>
    public void Clear()
    {
        foreach (var path in Directory.EnumerateFiles(Folder, "*" + Extension))
        {
            File.Delete(path);
        }

        AtomicFile.FlushDirectory(Folder);
    }

    private string PathOf(string topic) =>
        Path.Combine(Folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(topic))) + Extension);

    // Layout: magic u32 | qos u8 | topic (u16 length + UTF-8) | content type (u16 + UTF-8) | response topic (u16 + UTF-8) | payload (u32 + bytes).
    private static byte[] Encode(MqttApplicationMessage message)
    {
        var topic = Encoding.UTF8.GetBytes(message.Topic);
        var contentType = Encoding.UTF8.GetBytes(message.ContentType ?? string.Empty);
        var responseTopic = Encoding.UTF8.GetBytes(message.ResponseTopic ?? string.Empty);
        var payload = message.Payload.ToArray();
        var buffer = new byte[4 + 1 + 2 + topic.Length + 2 + contentType.Length + 2 + responseTopic.Length + 4 + payload.Length];
        var at = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, Magic);
        at += 4;
        buffer[at++] = (byte)message.QualityOfServiceLevel;
        at = WriteString(buffer, at, topic);
        at = WriteString(buffer, at, contentType);
        at = WriteString(buffer, at, responseTopic);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), payload.Length);
        payload.CopyTo(buffer, at + 4);
        return buffer;
    }

    private static MqttApplicationMessage Decode(byte[] bytes)
    {
        var span = bytes.AsSpan();
        if (span.Length < 5 || BinaryPrimitives.ReadUInt32LittleEndian(span) != Magic)
        {
            throw new InvalidDataException("not a retained message file");
        }

        var at = 4;
        var qos = (MqttQualityOfServiceLevel)span[at++];
        var topic = ReadString(span, ref at);
        var contentType = ReadString(span, ref at);
        var responseTopic = ReadString(span, ref at);
        if (at + 4 > span.Length)
        {
            throw new InvalidDataException("truncated");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
        if (length < 0 || at + 4 + length != span.Length || topic.Length == 0)
        {
            throw new InvalidDataException("truncated or padded");
        }

        return new MqttApplicationMessage
        {
            Topic = topic,
            Payload = new ReadOnlySequence<byte>(span.Slice(at + 4, length).ToArray()),
            QualityOfServiceLevel = qos,
            ContentType = contentType.Length == 0 ? null : contentType,
            ResponseTopic = responseTopic.Length == 0 ? null : responseTopic,
            Retain = true,
        };
    }

    private static int WriteString(byte[] buffer, int at, byte[] value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(at), checked((ushort)value.Length));
        value.CopyTo(buffer, at + 2);
        return at + 2 + value.Length;
    }

    private static string ReadString(ReadOnlySpan<byte> span, ref int at)
    {
        if (at + 2 > span.Length)
        {
            throw new InvalidDataException("truncated");
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
        if (at + 2 + length > span.Length)
        {
            throw new InvalidDataException("truncated");
        }

        var value = Encoding.UTF8.GetString(span.Slice(at + 2, length));
        at += 2 + length;
        return value;
    }
}
