using System.Diagnostics.Tracing;

namespace EdgeRuntime.Benchmarks;

/// <summary>
/// With <c>--trace-gc</c>: prints the type of every large-object allocation the runtime samples (its allocation tick,
/// about every 100 kB allocated) and the reason of every gen 2 collection, from the runtime's own event source. Large
/// objects start gen 2 collections, and a non-concurrent gen 2 stops serving for its whole length, so this is how the
/// device-day benchmark finds what a training round allocates that it should not (events arrive on a dispatch thread,
/// so they carry no useful stack).
/// </summary>
internal sealed class GcTrace : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, int> _ticks = new(StringComparer.Ordinal);

    /// <summary>The allocation ticks (about 100 kB each) since the last call, by type and thread, most first; then starts again.</summary>
    public string TakeTicks()
    {
        lock (_ticks)
        {
            var text = string.Join(", ", _ticks.OrderByDescending(p => p.Value).Take(12).Select(p => $"{p.Key} {p.Value}"));
            _ticks.Clear();
            return text;
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
        {
            return;
        }

        if (eventData.EventName?.StartsWith("GCStart", StringComparison.Ordinal) == true && Convert.ToInt32(payload[names.IndexOf("Depth")]) == 2)
        {
            Console.WriteLine($"    gc: gen 2 collection, reason {payload[names.IndexOf("Reason")]} (0 small allocation, 1 induced, 4 large allocation; GCReason)");
        }
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true)
        {
            var thread = eventData.OSThreadId;
            string name;
            try
            {
                name = File.ReadAllText($"/proc/self/task/{thread}/comm").Trim();
            }
            catch (IOException)
            {
                name = "ended";
            }

            lock (_ticks)
            {
                var key = $"{payload[names.IndexOf("TypeName")]}@{name}";
                _ticks[key] = _ticks.GetValueOrDefault(key) + 1;
            }
        }

        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && Convert.ToInt32(payload[names.IndexOf("AllocationKind")]) == 1)
        {
            Console.WriteLine($"    gc: large-object allocation of {payload[names.IndexOf("TypeName")]}");
        }
    }
}
