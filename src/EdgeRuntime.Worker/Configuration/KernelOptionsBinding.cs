using EdgeRuntime.Kernels.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeRuntime.Worker.Configuration;

/// <summary>
/// Binds <c>Kernels</c> by hand: the configuration binder stops at an unknown enum value with a message that does
/// not list the allowed ones; here each bad value becomes one line naming the key, the value and the allowed values.
/// </summary>
internal static class KernelOptionsBinding
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(KernelOptions.SectionName);
        var problems = new List<string>();
        services.AddOptions<KernelOptions>().Configure(options =>
        {
            problems.Clear();
            options.Accelerator = Parse(section.GetSection(nameof(KernelOptions.Accelerator)), options.Accelerator, problems);
            options.FramePreprocessing = Parse(section.GetSection(nameof(KernelOptions.FramePreprocessing)), options.FramePreprocessing, problems);
        }).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KernelOptions>>(new Validator(problems));

        // Bound by hand, so the unknown-key check is told which keys the section has.
        services.AddSingleton(new Keys.KnownConfigurationSection(KernelOptions.SectionName, FreeForm: false, typeof(KernelOptions)));
    }

    /// <summary>The value of <paramref name="key"/>, or <paramref name="fallback"/> when unset; an unknown value is recorded in <paramref name="problems"/>.</summary>
    internal static TEnum Parse<TEnum>(IConfigurationSection key, TEnum fallback, List<string> problems)
        where TEnum : struct, Enum
    {
        if (key.Value is not { Length: > 0 } value)
        {
            return fallback;
        }

        if (Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsAsciiDigit(value[0]))
        {
            return parsed;
        }

        problems.Add($"{key.Path}: '{value}' is unknown; allowed: {string.Join(", ", Enum.GetNames<TEnum>())}");
        return fallback;
    }

    private sealed class Validator(List<string> problems) : IValidateOptions<KernelOptions>
    {
        public ValidateOptionsResult Validate(string? name, KernelOptions options) =>
            problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
