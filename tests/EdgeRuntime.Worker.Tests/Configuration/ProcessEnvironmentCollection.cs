namespace EdgeRuntime.Worker.Tests.Configuration;

/// <summary>
/// Tests that set EDGE_ variables in this process, and tests that read every EDGE_ variable (the unknown-key check), run
/// one after the other: a variable one sets for a moment is an unknown key to the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}
