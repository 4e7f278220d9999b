using System.Globalization;
using System.Security.Cryptography;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Transfer;
using EdgeRuntime.Messaging.Connection;

namespace EdgeRuntime.Delivery.Agent;

public sealed partial class ModelDeliveryAgent
{
    /// <summary>Download failures that are not the model's fault (a web server away) are retried this often before the version is refused.</summary>
    private const int SourceAttempts = 4;

    private Task OnManifestAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var model = Topics.ModelOfManifestTopic(message.Topic);
        if (model is null || message.Payload.IsEmpty)
        {
            // An empty retained manifest withdraws the offer; what is installed stays.
            return Task.CompletedTask;
        }

        if (!ModelName.IsValid(model) || !Options.Follows(model))
        {
            return Task.CompletedTask;
        }

        var envelope = message.Payload.ToArray();
        Enqueue(model, token => InstallFromManifestAsync(model, envelope, allowStoredOlder: false, token));
        return Task.CompletedTask;
    }

    /// <summary>
    /// The whole path of one signed manifest: checks, download, verification, pre-flight, install, activation.
    /// Returns the outcome for a command's reply (manifests from the broker ignore it).
    /// </summary>
    private async Task<DeliveryOutcome> InstallFromManifestAsync(string model, byte[] envelope, bool allowStoredOlder, CancellationToken cancellationToken)
    {
        var envelopeId = Convert.ToHexStringLower(SHA256.HashData(envelope));
        if (_refusedEnvelopes.ContainsKey(envelopeId) && !allowStoredOlder)
        {
            // The broker re-sends retained manifests on every connection; a refusal is reported once.
            return DeliveryOutcome.Refused("this manifest was refused before");
        }

        var check = SignedEnvelope.Open(envelope, _parts.TrustedKeys);
        if (!check.IsAccepted)
        {
            var reason = _parts.TrustedKeys.Ids.Count == 0 ? $"manifest refused: {check.Problem}; no trusted keys are configured (Delivery:TrustedKeys)" : $"manifest refused: {check.Problem}";
            return Refuse(model, 0, reason, envelopeId);
        }

        var manifest = ModelManifestJson.Parse(check.Document.Span, out var problem);
        if (manifest is null)
        {
            return Refuse(model, 0, $"manifest refused: {problem}", envelopeId);
        }

        if (manifest.Name != model)
        {
            return Refuse(model, manifest.Version, $"manifest refused: it names model '{manifest.Name}' but came on the topic of '{model}'", envelopeId);
        }

        var now = Clock.GetUtcNow();
        if (now > manifest.ExpiresAt)
        {
            return Refuse(model, manifest.Version, $"manifest refused: it expired at {manifest.ExpiresAt.ToString("u", CultureInfo.InvariantCulture)}", envelopeId);
        }

        var state = _store.State(model);
        if (manifest.Version <= state.HighestVersion)
        {
            if (manifest.Version == state.ServingVersion)
            {
                return DeliveryOutcome.Done($"{manifest} is already serving", manifest.Version);
            }

            if (!allowStoredOlder)
            {
                if (manifest.Version == state.HighestVersion)
                {
                    // The retained manifest of the version a rollback left: nothing to do until a newer one comes.
                    return DeliveryOutcome.Done($"{manifest} was installed before; a signed deploy command can return to it", state.ServingVersion);
                }

                return Refuse(model, manifest.Version, $"version {manifest.Version} is not newer than v{state.HighestVersion}, installed before (anti-rollback; a signed rollback command may go back)", envelopeId);
            }
        }

        if (_store.CheckRoom(model, manifest.Length) is { } noRoom)
        {
            return Refuse(model, manifest.Version, $"refused: {noRoom}", envelopeId);
        }

        var file = await DownloadAsync(manifest, cancellationToken);
        if (file.Problem is not null)
        {
            // A bad chunk is refused for good; a source or disk that failed may work when the manifest comes again.
            return Refuse(model, manifest.Version, file.Problem, file.Permanent ? envelopeId : null);
        }

        _progress.Report(model, manifest.Version, ModelPhase.Verifying, "pre-flight in a separate process", _parts.Activator.ServingVersion(model));
        var preflight = await _parts.Preflight.RunAsync(file.Path!, cancellationToken);
        if (!preflight.Passed)
        {
            PartialDownload.Delete(Path.GetDirectoryName(file.Path!)!);
            return Refuse(model, manifest.Version, $"pre-flight failed: {preflight.Problem}", envelopeId);
        }

        var installed = _store.Install(manifest, envelope, file.Path!);
        PartialDownload.Delete(Path.GetDirectoryName(file.Path!)!);
        if (!await ActivateAsync(installed, cancellationToken))
        {
            _store.Remove(model, manifest.Version);
            return DeliveryOutcome.Refused($"{manifest} did not go into service; v{_parts.Activator.ServingVersion(model)?.ToString(CultureInfo.InvariantCulture) ?? "none"} serves");
        }

        return DeliveryOutcome.Done($"{manifest} serves", manifest.Version);
    }

    private sealed record DownloadedFile(string? Path, string? Problem, bool Permanent = false);

    private async Task<DownloadedFile> DownloadAsync(ModelManifest manifest, CancellationToken cancellationToken)
    {
        var folder = PartialDownload.FolderFor(_parts.DownloadsDirectory, manifest);
        PartialDownload download;
        try
        {
            download = PartialDownload.Open(folder, manifest);
        }
        catch (IOException ex)
        {
            return new DownloadedFile(null, $"cannot store the download: {ex.Message}");
        }

        using (download)
        {
            var serving = _parts.Activator.ServingVersion(manifest.Name);
            var total = download.ChunkCount;
            var lastPercent = -1;
            void ReportProgress(bool force)
            {
                var verified = download.VerifiedCount;
                var percent = verified * 100 / total;
                if (percent == lastPercent && !force)
                {
                    return;
                }

                var tenth = percent / 10 != lastPercent / 10;
                lastPercent = percent;
                var detail = $"chunks {verified}/{total}" + (download.Resumed > 0 ? $" ({download.Resumed} resumed from disk)" : string.Empty);
                _progress.Report(manifest.Name, manifest.Version, ModelPhase.Downloading, detail, serving, publishEvent: force || tenth);
            }

            ReportProgress(force: true);
            var source = manifest.Url is null ? _parts.BrokerChunks : _parts.UrlChunks;
            var progressGate = new Lock();
            for (var attempt = 1; !download.IsComplete; attempt++)
            {
                try
                {
                    await source.FetchAsync(manifest, download.Missing(), (index, data) =>
                    {
                        download.Accept(index, data.Span);
                        DeliveryInstruments.ChunkBytes.Add(data.Length, new KeyValuePair<string, object?>("model", manifest.Name));
                        lock (progressGate)
                        {
                            ReportProgress(force: false);
                        }
                    }, cancellationToken);
                }
                catch (TransferException ex)
                {
                    // The bytes on offer are wrong; fetching them again gives the same. Start clean for a republish.
                    download.Dispose();
                    PartialDownload.Delete(folder);
                    return new DownloadedFile(null, ex.Message, Permanent: true);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    if (attempt >= SourceAttempts)
                    {
                        return new DownloadedFile(null, $"download of {manifest} failed after {attempt} attempts: {ex.Message}");
                    }

                    LogSourceRetry(_logger, manifest.ToString(), attempt, ex.Message);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt)), Clock, cancellationToken);
                }
            }

            ReportProgress(force: true);
            _progress.Report(manifest.Name, manifest.Version, ModelPhase.Verifying, "whole-file sha256", serving);
            try
            {
                download.Complete();
            }
            catch (TransferException ex)
            {
                download.Dispose();
                PartialDownload.Delete(folder);
                return new DownloadedFile(null, ex.Message, Permanent: true);
            }

            return new DownloadedFile(download.PartPath, null);
        }
    }

    private DeliveryOutcome Refuse(string model, long version, string reason, string? envelopeId)
    {
        if (envelopeId is not null)
        {
            _refusedEnvelopes.TryAdd(envelopeId, 0);
        }

        _progress.Report(model, version, ModelPhase.Failed, reason, _parts.Activator.ServingVersion(model));
        return DeliveryOutcome.Refused(reason);
    }

    /// <summary>How a request about a model ended, for a command's reply.</summary>
    private sealed record DeliveryOutcome(bool Ok, string Message, long? ServingVersion)
    {
        public static DeliveryOutcome Done(string message, long? serving) => new(true, message, serving);

        public static DeliveryOutcome Refused(string message) => new(false, message, null);
    }
}
