using Compiled.Testing;

namespace Compiled.Tests.EventTimeTests;

/// <summary>One record as the model sees it: event time, key (as text), value.</summary>
internal readonly record struct Event(long Time, string Key, long Value);

/// <summary>
/// A straightforward reference model of Compiled's event time, written from the README and not from the code under
/// test: it keeps every record it has accepted and, at each batch boundary, recomputes the windows from them.
/// </summary>
/// <remarks>
/// <para>The rules it encodes, and where they differ from Flink and Spark:</para>
/// <list type="bullet">
/// <item>The watermark is the latest event time seen minus the lateness, moved on only at a batch boundary and never back.
/// The records of batch k are judged against the watermark left by batch k − 1, whatever their order within the batch.
/// Spark Structured Streaming does the same (the watermark is computed at the end of a micro-batch and used by the next:
/// "the previous batch watermark for late record filtering"); Flink's <c>BoundedOutOfOrdernessWatermarks</c> emits a
/// watermark periodically in processing time (<c>maxTimestamp - outOfOrdernessMillis - 1</c>), which can move in the
/// middle of what Compiled would call a batch.</item>
/// <item>A record is late when its event time is older than the watermark (<c>time &lt; watermark</c>); a record exactly at
/// the watermark is not late. Flink's watermark is one less (the <c>- 1</c> above) and an element is late when
/// <c>timestamp + allowedLateness &lt;= watermark</c>, so with the same lateness Flink agrees on which single record is late;
/// Spark's late-data predicate is <c>eventTime &lt;= watermark</c>, so Spark drops a record exactly at the watermark.
/// Compiled judges each record by its own time; Flink (<c>WindowOperator.isWindowLate</c>) and Spark (the predicate on the
/// window's end) drop a record only when its window was already finalized, so they keep a record older than the watermark
/// whose window is still open, and Compiled does not.</item>
/// <item>A window [start, end) is emitted at the first batch boundary where <c>end &lt;= watermark</c>, with that batch's
/// time, windows in order of end (then start), keys in the order first seen in the window. Spark finalizes a window when
/// <c>window.end &lt;= watermark</c> as well; Flink fires when the watermark reaches <c>end - 1</c> (<c>maxTimestamp</c>),
/// the same instant given its watermark's <c>- 1</c>.</item>
/// <item>Windows start at multiples of the slide (Flink and Spark with no offset); Compiled rounds negative times down,
/// as it should (Flink's <c>getWindowStartWithOffset</c> uses Java's <c>%</c>).</item>
/// <item>A session is [first record, last record + gap): records at most the gap apart are in one session, as in Flink
/// (<c>TimeWindow.intersects</c>: <c>start &lt;= other.end</c>) and Spark (<c>MergingSessionsIterator</c>:
/// <c>sessionStart &lt;= currentSessionEnd</c>). Since a record exactly at a session's end still joins it, and a record
/// at the watermark is not late, a session is emitted at the first boundary where <c>end &lt; watermark</c>. Sessions
/// closing at one boundary come out in order of end, then start, then key in the order the key was first seen since it
/// last had no open session.</item>
/// <item>The last batch of a run moves the watermark past every window.</item>
/// </list>
/// </remarks>
internal sealed class EventTimeModel
{
    private readonly long _intervalMs;
    private readonly long _lateness;
    private readonly List<Operator> _operators = [];
    private long _latest = long.MinValue;
    private long _batches;

    public EventTimeModel(long latenessMs, long intervalMs = 1000)
    {
        _lateness = latenessMs;
        _intervalMs = intervalMs;
    }

    /// <summary>The watermark now: what the next batch's records are judged against.</summary>
    public long Watermark { get; private set; } = long.MinValue;

    /// <summary>The late records of each batch.</summary>
    public List<OutputBatch<Event>> Late { get; } = [];

    /// <summary>All the late records so far.</summary>
    public long LateCount { get; private set; }

    /// <summary>Adds a tumbling or sliding window stage; its output fills as batches run.</summary>
    public List<OutputBatch<(EventWindow Window, string Key, long Value)>> Windows(long size, long? slide = null)
    {
        var op = new FixedWindows(size, slide ?? size);
        _operators.Add(op);
        return op.Output;
    }

    /// <summary>Adds a session window stage; its output fills as batches run.</summary>
    public List<OutputBatch<(EventWindow Window, string Key, long Value)>> Sessions(long gap)
    {
        var op = new SessionWindows(gap);
        _operators.Add(op);
        return op.Output;
    }

    /// <summary>Whether any window or session is still open (not yet emitted).</summary>
    public bool AnyOpen => _operators.Any(o => o.AnyOpen);

    /// <summary>Runs one batch of records; <paramref name="isLast"/> for the last batch of a run.</summary>
    public void RunBatch(IEnumerable<Event> records, bool isLast = false)
    {
        long time = ++_batches * _intervalMs;
        var late = new List<Event>();
        foreach (Event record in records)
        {
            if (record.Time < Watermark)
            {
                late.Add(record);
                continue;
            }

            _latest = Math.Max(_latest, record.Time);
            foreach (Operator op in _operators)
            {
                op.Accept(record);
            }
        }

        Late.Add(new OutputBatch<Event>(time, late));
        LateCount += late.Count;
        if (isLast)
        {
            Watermark = long.MaxValue;
        }
        else if (_latest != long.MinValue)
        {
            Watermark = Math.Max(Watermark, _latest - _lateness);
        }

        foreach (Operator op in _operators)
        {
            op.Output.Add(new OutputBatch<(EventWindow, string, long)>(time, op.Close(Watermark)));
        }
    }

    /// <summary>Floor division, for window starts of negative times.</summary>
    public static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    private abstract class Operator
    {
        public List<OutputBatch<(EventWindow Window, string Key, long Value)>> Output { get; } = [];

        public abstract bool AnyOpen { get; }

        public abstract void Accept(Event record);

        public abstract List<(EventWindow Window, string Key, long Value)> Close(long watermark);
    }

    // Tumbling and sliding windows: the accepted records not yet in an emitted window, in arrival order.
    private sealed class FixedWindows(long size, long slide) : Operator
    {
        private readonly List<Event> _pending = [];
        private readonly HashSet<EventWindow> _emitted = [];

        public override bool AnyOpen => _pending.Count > 0;

        public override void Accept(Event record)
        {
            // The model's own check: a record that is not late never belongs to a window already emitted.
            Assert.DoesNotContain(WindowsOf(record.Time), _emitted.Contains);
            _pending.Add(record);
        }

        public override List<(EventWindow Window, string Key, long Value)> Close(long watermark)
        {
            // The windows holding time t start at k × slide with start <= t < start + size.
            var windows = new SortedSet<EventWindow>(Comparer<EventWindow>.Create((a, b) => a.End != b.End ? a.End.CompareTo(b.End) : a.Start.CompareTo(b.Start)));
            foreach (Event record in _pending)
            {
                foreach (EventWindow window in WindowsOf(record.Time))
                {
                    if (window.End <= watermark && !_emitted.Contains(window))
                    {
                        windows.Add(window);
                    }
                }
            }

            var output = new List<(EventWindow, string, long)>();
            foreach (EventWindow window in windows)
            {
                var sums = new List<(string Key, long Sum)>();
                foreach (Event record in _pending.Where(r => window.Start <= r.Time && r.Time < window.End))
                {
                    int at = sums.FindIndex(s => s.Key == record.Key);
                    if (at < 0)
                    {
                        sums.Add((record.Key, record.Value));
                    }
                    else
                    {
                        sums[at] = (record.Key, sums[at].Sum + record.Value);
                    }
                }

                output.AddRange(sums.Select(s => (window, s.Key, s.Sum)));
                _emitted.Add(window);
            }

            // A record is done with once every window holding it is emitted: its last window ends after the others.
            _pending.RemoveAll(r => WindowsOf(r.Time).All(w => w.End <= watermark));
            return output;
        }

        private IEnumerable<EventWindow> WindowsOf(long time)
        {
            for (long k = FloorDiv(time - size, slide) + 1; k <= FloorDiv(time, slide); k++)
            {
                yield return new EventWindow(k * slide, (k * slide) + size);
            }
        }
    }

    // Session windows: each key's accepted records not yet emitted; sessions recomputed from them at each boundary.
    private sealed class SessionWindows(long gap) : Operator
    {
        private readonly List<(string Key, List<Event> Records)> _keys = [];

        public override bool AnyOpen => _keys.Any(k => k.Records.Count > 0);

        public override void Accept(Event record)
        {
            int at = _keys.FindIndex(k => k.Key == record.Key);
            if (at < 0)
            {
                _keys.Add((record.Key, [record]));
            }
            else
            {
                _keys[at].Records.Add(record);
            }
        }

        public override List<(EventWindow Window, string Key, long Value)> Close(long watermark)
        {
            var output = new List<(EventWindow Window, string Key, long Value)>();
            foreach ((string key, List<Event> records) in _keys)
            {
                // Sort by time; a record past the previous one's time + gap starts a new session.
                var sorted = records.OrderBy(r => r.Time).ToList();
                int first = 0;
                for (int i = 1; i <= sorted.Count; i++)
                {
                    if (i == sorted.Count || sorted[i].Time > sorted[i - 1].Time + gap)
                    {
                        var session = new EventWindow(sorted[first].Time, sorted[i - 1].Time + gap);
                        if (session.End < watermark)
                        {
                            output.Add((session, key, sorted.Skip(first).Take(i - first).Sum(r => r.Value)));
                            foreach (Event record in sorted.Skip(first).Take(i - first))
                            {
                                records.Remove(record);
                            }
                        }

                        first = i;
                    }
                }
            }

            // A key with no open session is forgotten: when it comes back, it is seen first again.
            _keys.RemoveAll(k => k.Records.Count == 0);

            // In order of end, then start (the README's order); keys with the same session keep their first-seen order.
            return [.. output.OrderBy(s => s.Window.End).ThenBy(s => s.Window.Start)];
        }
    }
}
