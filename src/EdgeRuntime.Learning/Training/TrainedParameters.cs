using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Learning.Training;

/// <summary>Writes trained parameters back into the inference model, under the names it delivered them with.</summary>
public static class TrainedParameters
{
    /// <summary>Replaces the initializers named in <paramref name="parameters"/> in <paramref name="model"/> (same shapes).</summary>
    /// <exception cref="ArgumentException">A name is not a float initializer of the model, or its size differs.</exception>
    public static void ApplyTo(Model model, IReadOnlyDictionary<string, float[]> parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (name, values) in parameters)
        {
            var value = model.Graph.FindValue(name);
            if (value?.Initializer is not { ElementType: DataType.Float } tensor)
            {
                throw new ArgumentException($"'{name}' is not a float initializer of model graph '{model.Graph.Name}'");
            }

            if (tensor.ElementCount != values.Length)
            {
                throw new ArgumentException($"'{name}' has {tensor.ElementCount} values in the model but {values.Length} were trained");
            }

            model.Graph.SetInitializer(value, Tensor.From<float>(values, [.. tensor.Dims]));
        }
    }
}
