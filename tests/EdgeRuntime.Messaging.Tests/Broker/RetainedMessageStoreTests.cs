using System.Buffers;
using EdgeRuntime.Messaging.Broker;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Tests.Broker;

public sealed class RetainedMessageStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-retained-").FullName;

    private static MqttApplicationMessage Message(string topic, byte[] payload, string? contentType = null) => new()
    {
        Topic = topic,
        Payload = new ReadOnlySequence<byte>(payload),
        QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
        ContentType = contentType,
        Retain = true,
    };

    [Fact]
    public void Save_ThenLoadInANewStore_GivesBackEveryMessage_AsRetained()
    {
        var store = new RetainedMessageStore(_folder);
        store.Save(Message("edge/models/traffic/manifest", [1, 2, 3], "application/json"));
        store.Save(Message("edge/models/traffic/1/chunks/0", new byte[70_000]));
        store.Save(Message("edge/models/traffic/manifest", [4, 5]));

        var loaded = new RetainedMessageStore(_folder).Load(out var unreadable).OrderBy(m => m.Topic, StringComparer.Ordinal).ToList();
        Assert.Empty(unreadable);
        Assert.Equal(["edge/models/traffic/1/chunks/0", "edge/models/traffic/manifest"], loaded.Select(m => m.Topic));
        Assert.Equal(70_000, loaded[0].Payload.Length);
        Assert.Equal([4, 5], loaded[1].Payload.ToArray());
        Assert.All(loaded, m => Assert.True(m.Retain));
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, loaded[1].QualityOfServiceLevel);
    }

    [Fact]
    public void Save_EmptyPayload_DeletesTheTopic()
    {
        var store = new RetainedMessageStore(_folder);
        store.Save(Message("a/b", [1]));
        store.Save(Message("a/b", []));
        Assert.Empty(store.Load(out _));
        Assert.Empty(Directory.EnumerateFiles(_folder));
    }

    [Fact]
    public void Load_TornFile_IsSkippedAndNamed_TheOthersLoad()
    {
        var store = new RetainedMessageStore(_folder);
        store.Save(Message("a/b", [1, 2, 3, 4]));
        store.Save(Message("a/c", [5]));
        var torn = Directory.EnumerateFiles(_folder).First();
        File.WriteAllBytes(torn, File.ReadAllBytes(torn)[..^2]);

        var loaded = store.Load(out var unreadable);
        Assert.Single(loaded);
        Assert.Contains(Path.GetFileName(torn), Assert.Single(unreadable), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
