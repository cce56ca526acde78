using Compiled.Testing;

namespace Compiled.Tests.EventTimeTests;

/// <summary>Shorthands for the event-time tests.</summary>
internal static class EventTimeTestKit
{
    /// <summary>A window's output record.</summary>
    public static (EventWindow Window, string Key, long Value) W(long start, long end, string key, long value) => (new EventWindow(start, end), key, value);

    /// <summary>One output batch.</summary>
    public static OutputBatch<(EventWindow Window, string Key, long Value)> At(long time, params (EventWindow Window, string Key, long Value)[] records) => new(time, records);

    /// <summary>
    /// Each batch with its records in order of end, then start, then key: for session outputs, whose order across keys
    /// the tests do not pin down (see <c>SessionWindowTests.Sessions_ClosingInOneBatch_ComeOutInOrderOfEnd</c>).
    /// </summary>
    public static List<OutputBatch<(EventWindow Window, string Key, long Value)>> Canonical(IEnumerable<OutputBatch<(EventWindow Window, string Key, long Value)>> batches) =>
        [.. batches.Select(b => new OutputBatch<(EventWindow Window, string Key, long Value)>(
            b.Time,
            [.. b.Records.OrderBy(r => r.Window.End).ThenBy(r => r.Window.Start).ThenBy(r => r.Key, StringComparer.Ordinal)]))];

    /// <summary>A struct-keyed window output as the byte-keyed ones are compared.</summary>
    public static List<OutputBatch<(EventWindow Window, string Key, long Value)>> AsText(IEnumerable<OutputBatch<Windowed<int, long>>> batches) =>
        [.. batches.Select(b => new OutputBatch<(EventWindow Window, string Key, long Value)>(
            b.Time,
            [.. b.Records.Select(r => (r.Window, r.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Value))]))];
}
