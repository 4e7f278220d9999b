using System.CommandLine;
using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Fleet.Keys;

/// <summary><c>edgectl keys create --out NAME</c>: a new fleet signing key pair.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o")
        {
            Description = "Base path of the key files: writes NAME.key (private, mode 0600) and NAME.pub (give this one to devices)",
            Required = true,
        };
        var create = new Command("create", "Create an ECDSA P-256 key pair for signing manifests and commands");
        create.Add(output);
        create.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(output)!;
            try
            {
                using var key = SigningKey.Create();
                var (privatePath, publicPath) = key.Save(path);
                await parseResult.InvocationConfiguration.Output.WriteLineAsync($"key {key.Id}: private {privatePath} (keep it secret), public {publicPath} (list it in the devices' Delivery:TrustedKeys)");
                return 0;
            }
            catch (Exception ex) when (ex is SigningKeyException or IOException or UnauthorizedAccessException)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"edgectl keys create: {ex.Message}");
                return 1;
            }
        });

        var keys = new Command("keys", "Manage fleet signing keys");
        keys.Add(create);
        return keys;
    }
}
