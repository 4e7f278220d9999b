namespace EdgeRuntime.Core.Models;

/// <summary>
/// Rules for a model name. The name becomes one MQTT topic level (<c>edge/models/{name}/…</c>) and a folder
/// in the model store, so it may not contain separators, wildcards or dots alone.
/// </summary>
public static class ModelName
{
    /// <summary>The longest name accepted, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>The characters a name may contain, for error messages.</summary>
    public const string AllowedDescription = "1-64 characters from A-Z a-z 0-9 . _ -, not starting with '.'";

    /// <summary>Whether <paramref name="candidate"/> is a usable model name.</summary>
    public static bool IsValid(string? candidate)
    {
        if (string.IsNullOrEmpty(candidate) || candidate.Length > MaxLength || candidate[0] == '.')
        {
            return false;
        }

        foreach (var c in candidate)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
