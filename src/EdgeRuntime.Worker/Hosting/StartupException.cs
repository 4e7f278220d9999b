namespace EdgeRuntime.Worker.Hosting;

/// <summary>The daemon cannot start; the message is the one line the user sees, naming what to fix.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
