using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Transfer;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>One plan being carried out: what its steps hand each other (the download, the installed version) and what others may ask about it.</summary>
internal sealed class PlanRun(string model, DeliveryPlan plan, ModelManifest? manifest, byte[]? envelope) : IDisposable
{
    private readonly Lock _gate = new();
    private CancellationTokenSource? _cancel;
    private bool _preemptible;
    private bool _preemptionRequested;

    public string Model => model;

    public DeliveryPlan Plan => plan;

    /// <summary>The manifest of the version fetched (null when the plan fetches nothing).</summary>
    public ModelManifest? Manifest => manifest;

    /// <summary>The signed envelope it came in, stored with the version.</summary>
    public byte[]? Envelope => envelope;

    /// <summary>The open download while fetching and verifying.</summary>
    public PartialDownload? Download { get; set; }

    /// <summary>The verified file, once complete.</summary>
    public string? VerifiedFile { get; set; }

    /// <summary>The version installed by this plan.</summary>
    public InstalledModel? Installed { get; set; }

    /// <summary>The fetch's progress, while fetching.</summary>
    public DownloadWatch? Watch { get; set; }

    /// <summary>
    /// Whether the plan's steps update the status without publishing events: putting the built-in v0 into service at
    /// start (or as a fallback) is the device's own business, not a delivery step the fleet follows; a command's move to v0 is.
    /// </summary>
    public bool Quiet => plan.Version == 0 && plan.Purpose is PlanPurpose.Restore or PlanPurpose.Fallback;

    /// <summary>
    /// Whether a newer offer or a command may cancel the plan now (only while it fetches: a download resumes). A
    /// preemption asked for before the plan got there takes effect when it does, so none is lost in between.
    /// </summary>
    public bool Preemptible
    {
        get
        {
            lock (_gate)
            {
                return _preemptible;
            }
        }

        set
        {
            CancellationTokenSource? cancel;
            lock (_gate)
            {
                _preemptible = value;
                cancel = value && _preemptionRequested ? _cancel : null;
            }

            Cancel(cancel);
        }
    }

    /// <summary>The source that cancels the plan's steps.</summary>
    public void Attach(CancellationTokenSource cancel)
    {
        lock (_gate)
        {
            _cancel = cancel;
        }
    }

    /// <summary>Asks for the plan to stop fetching: now if it fetches, else as soon as it starts to (a plan past its fetch runs on).</summary>
    /// <returns>Whether it was cancelled now.</returns>
    public bool RequestPreemption()
    {
        CancellationTokenSource? cancel;
        lock (_gate)
        {
            _preemptionRequested = true;
            cancel = _preemptible ? _cancel : null;
        }

        return Cancel(cancel);
    }

    private static bool Cancel(CancellationTokenSource? cancel)
    {
        if (cancel is null)
        {
            return false;
        }

        try
        {
            cancel.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            // The plan ended meanwhile.
            return false;
        }
    }

    public void Dispose() => Download?.Dispose();
}
