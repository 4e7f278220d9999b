namespace EdgeRuntime.Core.Models;

/// <summary>
/// Models shipped with the daemon that serve as version 0 (the built-in models a pipeline names), so that a
/// model always has something to serve, a delivered version that does not fit leaves v0 serving, and a rollback can
/// reach v0. Implemented by the pipelines, used by delivery. Thread-safe.
/// </summary>
public interface IBuiltInModels
{
    /// <summary>The names that have a built-in version 0.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Writes version 0 of <paramref name="name"/> (if it is not on disk already) and returns it; its sha256 is of the shipped bytes.</summary>
    /// <exception cref="FileNotFoundException">The shipped file is missing.</exception>
    /// <exception cref="IOException">The file could not be written (a full disk).</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> has no built-in version.</exception>
    InstalledModel Materialize(string name);

    /// <summary>One line for the status while v0 of <paramref name="name"/> serves.</summary>
    string Describe(string name);
}
