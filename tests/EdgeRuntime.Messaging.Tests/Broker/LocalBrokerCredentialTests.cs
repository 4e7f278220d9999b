using EdgeRuntime.Messaging.Broker;

namespace EdgeRuntime.Messaging.Tests.Broker;

public sealed class LocalBrokerCredentialTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("edge-credential-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public void LoadOrCreate_FirstStart_WritesARandomPasswordOnlyItsOwnerAndGroupRead_LaterStartsKeepIt()
    {
        var created = LocalBrokerCredential.LoadOrCreate(_state);
        var file = LocalBrokerCredential.PasswordFile(_state);

        Assert.Equal("local", created.Username);
        Assert.Matches("^[0-9a-f]{64}$", created.Password);
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(file) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
        Assert.Equal(created, LocalBrokerCredential.LoadOrCreate(_state));
        Assert.NotEqual(created.Password, LocalBrokerCredential.LoadOrCreate(Directory.CreateDirectory(Path.Combine(_state, "other")).FullName).Password);
        Assert.DoesNotContain(created.Password, created.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyFile_SaysWhatToDo()
    {
        var file = LocalBrokerCredential.PasswordFile(_state);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "\n");

        var ex = Assert.Throws<InvalidDataException>(() => LocalBrokerCredential.LoadOrCreate(_state));
        Assert.Contains("delete it and restart the daemon", ex.Message, StringComparison.Ordinal);
    }
}
