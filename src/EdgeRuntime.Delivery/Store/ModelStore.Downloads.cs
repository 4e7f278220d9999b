using System.Globalization;
using EdgeRuntime.Core.Delivery;

namespace EdgeRuntime.Delivery.Store;

public sealed partial class ModelStore
{
    /// <summary>The partial downloads of <paramref name="name"/> (folders <c>{name}-{version}-{sha12}</c>).</summary>
    public IReadOnlyList<DownloadOnDisk> Downloads(string name)
    {
        if (!Directory.Exists(DownloadsRoot))
        {
            return [];
        }

        var result = new List<DownloadOnDisk>();
        foreach (var folder in Directory.EnumerateDirectories(DownloadsRoot, $"{name}-*"))
        {
            var parts = Path.GetFileName(folder)[(name.Length + 1)..].Split('-');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version) || parts[1].Length != 12)
            {
                continue;
            }

            var info = new DirectoryInfo(folder);
            var files = info.EnumerateFiles("*", SearchOption.AllDirectories).ToList();
            var lastWrite = files.Select(f => f.LastWriteTimeUtc).Append(info.LastWriteTimeUtc).Max();
            result.Add(new DownloadOnDisk(version, parts[1], files.Sum(f => f.Length), new DateTimeOffset(lastWrite, TimeSpan.Zero)));
        }

        return [.. result.OrderBy(d => d.Version)];
    }

    /// <summary>Deletes the partial downloads of <paramref name="name"/> <paramref name="version"/>.</summary>
    public void DiscardDownloads(string name, long version)
    {
        if (!Directory.Exists(DownloadsRoot))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(DownloadsRoot, $"{name}-{version.ToString(CultureInfo.InvariantCulture)}-*"))
        {
            DeleteFolder(folder);
        }
    }
}
