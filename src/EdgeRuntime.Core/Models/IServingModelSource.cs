namespace EdgeRuntime.Core.Models;

/// <summary>Which installed file each model's serving version was made from (for on-device training, which trains that file's parameters). Thread-safe.</summary>
public interface IServingModelSource
{
    /// <summary>The installed file behind the serving version of <paramref name="name"/>, or null when none serves or it came from no file.</summary>
    InstalledModel? ServingSource(string name);
}
