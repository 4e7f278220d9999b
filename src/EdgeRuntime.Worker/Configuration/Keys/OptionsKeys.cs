using System.Collections;
using System.Reflection;

namespace EdgeRuntime.Worker.Configuration.Keys;

/// <summary>
/// The keys an options class binds, read from its public properties the way the configuration binder reads them:
/// a property of a simple type is a value; a list or array has numbered elements; a dictionary with string keys takes
/// any key; any other class has its own properties below.
/// </summary>
internal static class OptionsKeys
{
    /// <summary>The key tree of <paramref name="type"/>.</summary>
    public static KeyNode Of(Type type) => Of(type, []);

    private static KeyNode Of(Type type, HashSet<Type> visiting)
    {
        var node = new KeyNode();
        var declared = type;
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsValue(type))
        {
            node.ValueType = declared;
            return node;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            node.AnyKey = Of(valueType, visiting);
            return node;
        }

        if (ElementType(type) is { } elementType)
        {
            node.Element = Of(elementType, visiting);
            return node;
        }

        if (!visiting.Add(type))
        {
            // A type that contains itself: accept anything below rather than recurse forever.
            node.FreeForm = true;
            return node;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.GetMethod is { IsPublic: true })
            {
                node.Children[property.Name] = Of(property.PropertyType, visiting);
            }
        }

        visiting.Remove(type);
        return node;
    }

    private static bool IsValue(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) ||
        type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly) ||
        type == typeof(Guid) || type == typeof(Uri) || type == typeof(Version) || type == typeof(object);

    private static Type? DictionaryValueType(Type type)
    {
        foreach (var candidate in type.GetInterfaces().Append(type))
        {
            if (candidate.IsGenericType &&
                (candidate.GetGenericTypeDefinition() == typeof(IDictionary<,>) || candidate.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)) &&
                candidate.GetGenericArguments()[0] == typeof(string))
            {
                return candidate.GetGenericArguments()[1];
            }
        }

        return null;
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        foreach (var candidate in type.GetInterfaces().Append(type))
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return candidate.GetGenericArguments()[0];
            }
        }

        return null;
    }
}
