namespace EdgeRuntime.Core.Delivery;

/// <summary>The steps a delivery plan is made of. Each is an effect with an undo, run by Delivery's step runner.</summary>
public enum StepKind
{
    /// <summary>Delete a partial download nobody needs any more (superseded, installed, or abandoned). Undo: none needed.</summary>
    DiscardDownload,

    /// <summary>Delete a damaged version folder. Undo: none (the folder was unusable).</summary>
    DiscardStored,

    /// <summary>Fetch the missing chunks (per-chunk deadlines; stalled is shown, never waited out). Undo: keep the partial download for a resume, or delete it when the offer is refused for good.</summary>
    Fetch,

    /// <summary>Check the assembled file's length and sha256. Undo: delete the download (its bytes are wrong).</summary>
    VerifyFile,

    /// <summary>Load and run the model in a separate process with limits. Undo: delete the download (the model is refused).</summary>
    Preflight,

    /// <summary>Move the verified file and its signed manifest into the store as a whole version folder. Undo: delete that folder.</summary>
    Install,

    /// <summary>Re-hash a stored version against its signed sha256 before it serves (disks rot, people edit folders). Undo: none.</summary>
    CheckStored,

    /// <summary>Prepare the version (plan, session, warm-up), check it fits its pipelines, swap it in and record it as serving. Undo: remove its derived files; the previous version keeps serving.</summary>
    Activate,

    /// <summary>Like <see cref="Activate"/>, but not recorded: a version served only until the recorded one is repaired.</summary>
    ActivateFallback,

    /// <summary>Delete the versions beyond Delivery:KeepVersions (never the serving one). Last in a plan: it cannot be undone.</summary>
    Prune,
}
