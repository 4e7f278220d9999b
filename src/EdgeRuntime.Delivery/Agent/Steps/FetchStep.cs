using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Delivery.Transfer;

namespace EdgeRuntime.Delivery.Agent.Steps;

/// <summary>
/// Fetches the chunks the partial download lacks — from the broker (per-chunk deadlines; a stall is shown with the
/// missing chunks and never waited out) or from the manifest's URL (under the <c>delivery-source</c> pipeline). The plan
/// may be preempted while this runs. Undo keeps the download for a resume unless the version is refused for good.
/// </summary>
internal sealed class FetchStep(StepEffects effects) : IDeliveryStep
{
    public StepKind Kind => StepKind.Fetch;

    public async Task RunAsync(PlanRun run, DeliveryStep step, CancellationToken cancellationToken)
    {
        var manifest = run.Manifest ?? throw new InvalidOperationException($"{run.Plan} fetches without a manifest");
        var folder = PartialDownload.FolderFor(effects.Store.DownloadsRoot, manifest);
        PartialDownload download;
        try
        {
            download = PartialDownload.Open(folder, manifest);
        }
        catch (IOException ex)
        {
            throw DiskFailure(manifest.Version, "cannot store the download", ex);
        }

        run.Download = download;
        var watch = new DownloadWatch(effects.Reporter, run.Model, manifest.Version, download.ChunkCount, download.Resumed, () => effects.Activator.ServingVersion(run.Model));
        run.Watch = watch;
        watch.Start();
        var handlers = new ChunkHandlers(
            (index, data) =>
            {
                if (download.Accept(index, data.Span))
                {
                    DeliveryInstruments.ChunkBytes.Add(data.Length, new KeyValuePair<string, object?>("model", manifest.Name));
                    watch.Verified(download.VerifiedCount);
                }
            },
            watch.Waiting,
            watch.Arrived);
        run.Preemptible = true;
        try
        {
            if (download.IsComplete)
            {
                // Every chunk was on disk already (a download interrupted before verification).
            }
            else if (manifest.Url is null)
            {
                await effects.BrokerChunks.FetchAsync(manifest, download.Missing(), handlers, cancellationToken);
            }
            else
            {
                await effects.SourcePipeline.ExecuteAsync(async token => await effects.UrlChunks.FetchAsync(manifest, download.Missing(), handlers, token), cancellationToken);
            }
        }
        catch (TransferException ex)
        {
            watch.Close();
            throw DeliveryStepException.Of(manifest.Url is null ? RefusalCode.ChunkCorrupt : RefusalCode.FileCorrupt, manifest.Version, ex.Message, ex);
        }
        catch (IOException ex) when (DiskErrors.IsOutOfSpace(ex))
        {
            watch.Close();
            throw DiskFailure(manifest.Version, "cannot store the download", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            watch.Close();
            throw DeliveryStepException.Of(RefusalCode.SourceUnavailable, manifest.Version, $"download of {manifest} from {new Uri(manifest.Url!).Host} failed after retries: {ex.Message}", ex);
        }
        catch
        {
            watch.Close();
            throw;
        }
        finally
        {
            run.Preemptible = false;
        }

        watch.Finish();
    }

    public void Undo(PlanRun run, DeliveryStep step, Refusal? cause)
    {
        run.Watch?.Close();
        run.Download?.Dispose();
        run.Download = null;
        if (cause is { Retryable: false } && run.Manifest is { } manifest)
        {
            // The bytes on offer are wrong; fetching them again gives the same. Start clean for a republish.
            PartialDownload.Delete(PartialDownload.FolderFor(effects.Store.DownloadsRoot, manifest));
        }
    }

    internal static DeliveryStepException DiskFailure(long version, string what, IOException ex) => DiskErrors.IsOutOfSpace(ex)
        ? DeliveryStepException.Of(RefusalCode.DiskFull, version, $"{what}: no space left on the device ({ex.Message.ReplaceLineEndings(" ")}); retried when space returns", ex)
        : DeliveryStepException.Of(RefusalCode.InternalError, version, $"{what}: {ex.Message.ReplaceLineEndings(" ")}", ex);
}
