using System.Text.Json;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Signing;

namespace EdgeRuntime.Delivery.Commands;

/// <summary>Turns a command envelope as it arrived into the planner's terms (admission decides on it).</summary>
public static class SignedCommands
{
    /// <summary>Opens <paramref name="payload"/>, which came on the command topic <paramref name="topicName"/>.</summary>
    /// <returns>The command for admission, and the document when it was accepted and parsed.</returns>
    public static (SignedCommand Command, DeviceCommand? Document) Read(string topicName, ReadOnlySpan<byte> payload, TrustedKeys trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        var check = SignedEnvelope.Open(payload, trusted);
        if (!check.IsAccepted)
        {
            return (new SignedCommand(topicName, check.Verdict, check.Problem), null);
        }

        DeviceCommand? document;
        try
        {
            document = JsonSerializer.Deserialize(check.Document.Span, CommandJsonContext.Default.DeviceCommand);
        }
        catch (JsonException ex)
        {
            return (new SignedCommand(topicName, SignatureVerdict.Malformed, $"not a device command: {ex.Message}"), null);
        }

        if (document is null || document.Type != DeviceCommand.DocumentType || document.Nonce is null)
        {
            return (new SignedCommand(topicName, SignatureVerdict.Accepted, null), null);
        }

        var kind = document.Command switch
        {
            DeviceCommand.Deploy => CommandKind.Deploy,
            DeviceCommand.Rollback => CommandKind.Rollback,
            DeviceCommand.Repair => CommandKind.Repair,
            _ => (CommandKind?)null,
        };
        return (new SignedCommand(topicName, SignatureVerdict.Accepted, null, kind, document.Command, document.DeviceId, document.Model, document.Version, document.ExpiresAt), document);
    }
}
