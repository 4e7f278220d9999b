using System.Text.Json;
using EdgeRuntime.Core.IO;

namespace EdgeRuntime.Delivery.Store;

public sealed partial class ModelStore
{
    /// <summary>What the store remembers about <paramref name="name"/> (nothing served yet: null serving, highest 0).</summary>
    /// <exception cref="IOException">The state file is damaged (use <see cref="TryState"/> to handle that as a value).</exception>
    public ModelStoreState State(string name) =>
        TryState(name, out var problem) ?? throw new IOException(problem);

    /// <summary>What the store remembers about <paramref name="name"/>, or null with the reason when its state file is damaged.</summary>
    public ModelStoreState? TryState(string name, out string? problem)
    {
        problem = null;
        var path = StatePath(name);
        byte[] bytes;
        try
        {
            if (!File.Exists(path))
            {
                return new ModelStoreState(null, 0);
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            problem = $"model store state '{path}' cannot be read: {ex.Message}";
            return null;
        }

        try
        {
            var state = JsonSerializer.Deserialize(bytes, StoreJsonContext.Default.ModelStoreState);
            if (state is null || state.HighestVersion < 0 || state.ServingVersion < 0 || state.HeldThrough < 0)
            {
                problem = $"model store state '{path}' is damaged: it holds no valid state";
                return null;
            }

            return state;
        }
        catch (JsonException ex)
        {
            problem = $"model store state '{path}' is damaged: {ex.Message}";
            return null;
        }
    }

    /// <summary>Whether <paramref name="name"/> has a state file (it is written when a version first serves).</summary>
    public bool HasState(string name) => File.Exists(StatePath(name));

    /// <summary>
    /// Replaces a damaged state with one rebuilt from what is on disk: <paramref name="serving"/> as the serving version,
    /// the highest stored version as the highest one. What only the lost file knew (a hold left by a rollback) is gone.
    /// </summary>
    public ModelStoreState RebuildState(string name, long? serving)
    {
        var versions = Versions(name);
        var state = new ModelStoreState(serving, Math.Max(serving ?? 0, versions.Count == 0 ? 0 : versions[^1]));
        Write(name, state);
        return state;
    }

    /// <summary>
    /// Records that <paramref name="version"/> serves now (0: the built-in one); raises the highest version when it is
    /// higher, and the held-back version to <paramref name="holdThrough"/> when given.
    /// </summary>
    public void MarkServing(string name, long version, long? holdThrough = null)
    {
        var state = TryState(name, out _) ?? new ModelStoreState(null, 0);
        Write(name, new ModelStoreState(version, Math.Max(state.HighestVersion, version), holdThrough is { } hold ? Math.Max(hold, state.HeldThrough) : state.HeldThrough));
    }

    private void Write(string name, ModelStoreState state)
    {
        Directory.CreateDirectory(ModelFolder(name));
        AtomicFile.WriteAllBytes(StatePath(name), JsonSerializer.SerializeToUtf8Bytes(state, StoreJsonContext.Default.ModelStoreState));
    }

    private string StatePath(string name) => Path.Combine(ModelFolder(name), StateFileName);
}
