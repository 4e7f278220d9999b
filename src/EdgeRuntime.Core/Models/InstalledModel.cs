namespace EdgeRuntime.Core.Models;

/// <summary>A model version that passed delivery's checks and lies in the device's model store.</summary>
/// <param name="Name">The model's name as the fleet publishes it.</param>
/// <param name="Version">Its version (versions only grow, except by a signed rollback).</param>
/// <param name="Path">The verified ONNX file in the store; read-only for everyone but the store.</param>
/// <param name="Sha256">The file's sha256, lower-case hex, as the signed manifest states it.</param>
public sealed record InstalledModel(string Name, long Version, string Path, string Sha256)
{
    /// <summary>The version's folder in the store; activators may keep derived files (an optimised plan) here.</summary>
    public string Directory => System.IO.Path.GetDirectoryName(Path)!;
}
