using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Configuration.Keys;

/// <summary>
/// Every configuration key the daemon reads, learnt from the options it registers. Each options type bound the
/// usual way — <c>services.AddOptions&lt;T&gt;().Bind(configuration.GetSection("Name"))</c>, or bound to the root —
/// contributes its properties under its section, so a new section (Learning, …) is known as soon as its options are
/// registered; no list to keep in step. Sections read without an options type register a
/// <see cref="KnownConfigurationSection"/> instead.
/// </summary>
internal static class ConfigurationSchema
{
    /// <summary>The key tree of everything <paramref name="services"/> binds, plus the known extra sections.</summary>
    public static KeyNode From(IServiceCollection services)
    {
        var root = new KeyNode();
        foreach (var (type, path) in BoundOptions(services))
        {
            root.At(path).Merge(OptionsKeys.Of(type));
        }

        foreach (var known in services.Where(d => d.ServiceType == typeof(KnownConfigurationSection)).Select(d => d.ImplementationInstance).OfType<KnownConfigurationSection>())
        {
            var node = root.At(known.Path);
            node.FreeForm |= known.FreeForm;
            if (known.Options is { } options)
            {
                node.Merge(OptionsKeys.Of(options));
            }
        }

        return root;
    }

    /// <summary>
    /// The options types bound from configuration and the section each is bound to ("" for the root). The binder's
    /// registration (<see cref="NamedConfigureFromConfigurationOptions{TOptions}"/>) keeps the section in the
    /// delegate it runs; that is where this reads it from.
    /// </summary>
    public static IEnumerable<(Type Options, string Path)> BoundOptions(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (!descriptor.ServiceType.IsGenericType || descriptor.ServiceType.GetGenericTypeDefinition() != typeof(IConfigureOptions<>))
            {
                continue;
            }

            var instance = descriptor.ImplementationInstance;
            if (instance is null || !IsBinderRegistration(instance.GetType()))
            {
                continue;
            }

            var action = instance.GetType().GetProperty("Action")?.GetValue(instance) as Delegate;
            var configuration = action?.Target?.GetType()
                .GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(f => typeof(IConfiguration).IsAssignableFrom(f.FieldType))
                .Select(f => f.GetValue(action.Target) as IConfiguration)
                .FirstOrDefault(c => c is not null);
            if (configuration is null)
            {
                continue;
            }

            yield return (descriptor.ServiceType.GetGenericArguments()[0], configuration is IConfigurationSection section ? section.Path : string.Empty);
        }
    }

    private static bool IsBinderRegistration(Type type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.IsGenericType && current.GetGenericTypeDefinition() == typeof(NamedConfigureFromConfigurationOptions<>))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// A configuration section the daemon reads without an options type of its own (<c>Logging</c>), or a key that
/// belongs to another program sharing the <c>EDGE_</c> prefix (edgectl's <c>EDGE_BROKER</c>). Register one as a
/// singleton instance; <see cref="ConfigurationSchema"/> picks it up.
/// </summary>
/// <param name="Path">The section's path, e.g. <c>Logging</c>.</param>
/// <param name="FreeForm">Whether any key below it is accepted.</param>
/// <param name="Options">An options type the section is read into by hand (not with the binder): its keys are known.</param>
internal sealed record KnownConfigurationSection(string Path, bool FreeForm = true, Type? Options = null);
