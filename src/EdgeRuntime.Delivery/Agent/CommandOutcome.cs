using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>How a command ended on its model's loop, for the reply.</summary>
/// <param name="Ok">Whether it was carried out (or there was nothing to do).</param>
/// <param name="Message">One line.</param>
/// <param name="ServingVersion">The version serving afterwards, when known.</param>
/// <param name="Code">Why not, when not.</param>
internal sealed record CommandOutcome(bool Ok, string Message, long? ServingVersion, RefusalCode? Code = null)
{
    public static CommandOutcome Refused(Refusal refusal, long? serving) => new(false, refusal.Message, serving, refusal.Code);
}

/// <summary>A command waiting for its model's loop.</summary>
internal sealed record PendingCommand(ModelCommand Command, TaskCompletionSource<CommandOutcome> Done);
