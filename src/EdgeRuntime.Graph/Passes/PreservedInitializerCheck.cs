using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes;

/// <summary>
/// What the pass manager checks after every pass when initializers are preserved: each one that existed before
/// still exists under its name as an initializer, with the same content, and is still a graph input exactly when it
/// was one.
/// </summary>
internal sealed class PreservedInitializerCheck
{
    private readonly Dictionary<string, (Tensor Content, bool Input)> _expected = new(StringComparer.Ordinal);

    public PreservedInitializerCheck(Model model, PassContext context)
    {
        foreach (var name in context.PreservedInitializers)
        {
            if (model.Graph.FindValue(name) is { Initializer: { } tensor } value)
            {
                _expected[name] = (tensor, value.IsGraphInput);
            }
        }
    }

    /// <summary>The first broken promise, or null.</summary>
    public string? Violation(Model model)
    {
        foreach (var (name, (content, input)) in _expected)
        {
            var value = model.Graph.FindValue(name);
            if (value?.Initializer is not { } tensor)
            {
                return $"preserved initializer '{name}' is gone";
            }

            if (!ReferenceEquals(tensor, content) && !tensor.ContentEquals(content))
            {
                return $"preserved initializer '{name}' was rewritten";
            }

            if (value.IsGraphInput != input)
            {
                return $"preserved initializer '{name}' {(input ? "is no longer" : "became")} a graph input";
            }
        }

        return null;
    }
}
