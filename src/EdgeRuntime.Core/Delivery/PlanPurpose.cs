namespace EdgeRuntime.Core.Delivery;

/// <summary>Why a plan exists, for reports and for how its outcome is recorded.</summary>
public enum PlanPurpose
{
    /// <summary>Install and serve a newly offered version.</summary>
    Install,

    /// <summary>Serve the recorded version again (after a start, or after a fallback).</summary>
    Restore,

    /// <summary>Serve another version while the recorded one is damaged and being repaired.</summary>
    Fallback,

    /// <summary>Fetch a damaged or missing recorded version again and serve it.</summary>
    Repair,

    /// <summary>Carry out a deploy command.</summary>
    Deploy,

    /// <summary>Carry out a rollback command.</summary>
    Rollback,

    /// <summary>Remove what nobody needs (abandoned downloads, damaged versions no one serves).</summary>
    Cleanup,
}
