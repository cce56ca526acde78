using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Compiled.Hosting;

/// <summary>
/// The layout of a pipeline's state: the stages that hold state from batch to batch (windows, state stores,
/// watermarks, event-time windows and sessions), each with its kind, key and value types and window, and the
/// batch interval. A checkpoint stores the layout it was written with; a restart compares it with the layout of
/// the code and interval it runs with (<see cref="Compare"/>) and refuses a checkpoint whose state it would read
/// wrongly. The generator stamps each pipeline's layout at its declared interval
/// (<see cref="PipelineDefinition.StateLayout"/>); <see cref="For"/> gives a run's layout at the interval it runs with.
/// </summary>
/// <remarks>
/// <para>
/// What is in the layout, and why. A stage is identified by its method's name: renaming a stateful stage is a
/// layout change (the saved state belongs to the old name), and the message says so. Stages are ordered by that
/// name (ordinal), so declaring methods in another order changes nothing. Key and value (or state) types are
/// named fully qualified; for a type the user declares, its fields, in declaration order, are part of the layout,
/// because the state is stored as the value's bytes or through its own serialization, which a changed field
/// reads wrongly. A window's length and slide are in the layout as a number of batches, because that is how its
/// state is kept (one partial per batch).
/// </para>
/// <para>
/// The batch interval is part of the layout of a pipeline with state, even where the windows keep their
/// lengths in batches: a batch's number is its time divided by the interval, so a changed interval renumbers
/// the saved batches, their windows' start times and the state store's timeouts (Spark likewise refuses a
/// changed batch duration on recovery). A pipeline without state has an empty layout, which any other
/// empty layout matches whatever its interval.
/// </para>
/// <para>
/// What is not in the layout: stateless stages (map, filter, flatMap), the bodies of any stage's method, new
/// stateless stages and sinks, sink names, a window's filter, a state store's initial state. Changing them
/// restarts from a checkpoint fine.
/// </para>
/// </remarks>
public sealed class StateLayout
{
    private const string Header = "compiled-state-layout 1";
    private string? _text;

    /// <summary>Creates a layout (the generator does this, at the pipeline's declared interval).</summary>
    /// <param name="batchInterval">The batch interval the lengths in batches are counted at.</param>
    /// <param name="stages">The stages that keep state across batches, in any order: the layout orders them by <see cref="StateLayoutStage.Id"/>.</param>
    /// <exception cref="ArgumentException">Two stages have the same id, or a window's length or slide is not a multiple of the interval.</exception>
    public StateLayout(TimeSpan batchInterval, IReadOnlyList<StateLayoutStage> stages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(batchInterval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(stages);
        BatchInterval = batchInterval;
        var ordered = stages.ToArray();
        Array.Sort(ordered, static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        foreach (StateLayoutStage stage in ordered)
        {
            foreach (string field in (string[])[stage.Id, stage.Kind, stage.Key, stage.Value, stage.Fields, stage.Settings])
            {
                if (field is null || field.AsSpan().IndexOfAny('\t', '\n') >= 0)
                {
                    throw new ArgumentException($"The state layout of stage '{stage.Id}' has a field that is null or holds a tab or line break ('{field}'); the layout's text separates fields with tabs and stages with lines.", nameof(stages));
                }
            }
        }

        for (int i = 1; i < ordered.Length; i++)
        {
            if (ordered[i].Id == ordered[i - 1].Id)
            {
                throw new ArgumentException($"The state layout names stage '{ordered[i].Id}' twice; each stage with state needs its own id.", nameof(stages));
            }
        }

        Stages = ordered;
    }

    /// <summary>The batch interval the layout's window lengths and slides are counted at.</summary>
    public TimeSpan BatchInterval { get; }

    /// <summary>The stages that keep state across batches, ordered by id (ordinal).</summary>
    public IReadOnlyList<StateLayoutStage> Stages { get; }

    /// <summary>
    /// A 64-bit fingerprint of the layout: XxHash3 (64 bits, seed 0, from System.IO.Hashing; the hash the
    /// checkpoint file's checksums use) over the UTF-8 bytes of <see cref="ToText"/>, so equal layouts have equal
    /// fingerprints on every machine, in every process and in every version that writes the same text.
    /// </summary>
    public ulong Fingerprint => XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(ToText()));

    /// <summary>The same stages at another batch interval: the layout of a run with <c>--batch-interval</c>.</summary>
    /// <param name="batchInterval">The run's batch interval.</param>
    /// <returns>The run's layout; its window lengths in batches are counted at <paramref name="batchInterval"/>.</returns>
    public StateLayout For(TimeSpan batchInterval) => batchInterval == BatchInterval ? this : new StateLayout(batchInterval, Stages);

    /// <summary>How many batches <paramref name="milliseconds"/> span at this layout's interval (rounded down).</summary>
    public long Batches(long milliseconds) => milliseconds / IntervalMilliseconds;

    /// <summary>The batch interval in whole milliseconds, at least 1.</summary>
    public long IntervalMilliseconds => Math.Max(1, (long)BatchInterval.TotalMilliseconds);

    /// <summary>
    /// The layout as canonical text, which a checkpoint stores and <see cref="Parse"/> reads back: a header line,
    /// the interval, then one line per stage of tab-separated fields (id, kind, key, value, fields of user
    /// types, window length and slide in batches and in milliseconds, settings).
    /// </summary>
    public string ToText()
    {
        if (_text is not null)
        {
            return _text;
        }

        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append("interval-ms\t").Append(Invariant(IntervalMilliseconds)).Append('\n');
        foreach (StateLayoutStage stage in Stages)
        {
            text.Append("stage\t").Append(stage.Id)
                .Append('\t').Append(stage.Kind)
                .Append('\t').Append(stage.Key)
                .Append('\t').Append(stage.Value)
                .Append('\t').Append(stage.Fields)
                .Append('\t').Append(Invariant(Batches(stage.LengthMilliseconds)))
                .Append('\t').Append(Invariant(Batches(stage.SlideMilliseconds)))
                .Append('\t').Append(Invariant(stage.LengthMilliseconds))
                .Append('\t').Append(Invariant(stage.SlideMilliseconds))
                .Append('\t').Append(stage.Settings)
                .Append('\n');
        }

        return _text = text.ToString();
    }

    /// <inheritdoc cref="ToText"/>
    public override string ToString() => ToText();

    /// <summary>Reads a layout from the text <see cref="ToText"/> wrote.</summary>
    /// <exception cref="FormatException">The text is not a layout: the message says which line and what is wrong.</exception>
    public static StateLayout Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = text.Split('\n');
        if (lines.Length < 2 || lines[0] != Header)
        {
            throw new FormatException($"The state layout does not start with '{Header}' (it starts with '{Shorten(lines[0])}'); it was not written by this version of Compiled, or is damaged.");
        }

        string[] interval = lines[1].Split('\t');
        if (interval.Length != 2 || interval[0] != "interval-ms" || !TryLong(interval[1], out long intervalMs) || intervalMs <= 0)
        {
            throw new FormatException($"Line 2 of the state layout should be 'interval-ms' and a positive number of milliseconds, but is '{Shorten(lines[1])}'.");
        }

        var stages = new List<StateLayoutStage>();
        for (int i = 2; i < lines.Length; i++)
        {
            if (lines[i].Length == 0 && i == lines.Length - 1)
            {
                break;
            }

            string[] f = lines[i].Split('\t');
            if (f.Length != 11 || f[0] != "stage" || f[1].Length == 0
                || !TryLong(f[8], out long length) || !TryLong(f[9], out long slide))
            {
                throw new FormatException($"Line {i + 1} of the state layout should be 'stage' and 10 tab-separated fields (id, kind, key, value, fields, length and slide in batches and in milliseconds, settings), but is '{Shorten(lines[i])}'.");
            }

            stages.Add(new StateLayoutStage(f[1], f[2], f[3], f[4], f[5], length, slide, f[10]));
        }

        try
        {
            return new StateLayout(TimeSpan.FromMilliseconds(intervalMs), stages);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>
    /// What changed from the layout a checkpoint was written with to the layout a run would use: one difference per
    /// change, each naming the stage and what changed. A change that does not touch state yields none.
    /// </summary>
    /// <param name="saved">The checkpoint's layout.</param>
    /// <param name="current">The layout of the code and batch interval that runs now.</param>
    public static IReadOnlyList<StateLayoutDifference> Compare(StateLayout saved, StateLayout current)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(current);
        var differences = new List<StateLayoutDifference>();
        bool hasState = saved.Stages.Count > 0 || current.Stages.Count > 0;
        if (hasState && saved.IntervalMilliseconds != current.IntervalMilliseconds)
        {
            string was = Internal.DurationText.Format(saved.BatchInterval);
            differences.Add(new StateLayoutDifference(
                null,
                StateLayoutChange.BatchInterval,
                $"the batch interval changed from {was} to {Internal.DurationText.Format(current.BatchInterval)}, which renumbers the saved batches; to keep the checkpoint, run with --batch-interval {was}"));
        }

        var currentById = current.Stages.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var savedById = saved.Stages.ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (StateLayoutStage old in saved.Stages)
        {
            if (!currentById.TryGetValue(old.Id, out StateLayoutStage? now))
            {
                StateLayoutStage? renamed = current.Stages.FirstOrDefault(s => !savedById.ContainsKey(s.Id) && SameState(s, old));
                string hint = renamed is null
                    ? $"to keep the checkpoint, restore stage '{old.Id}'"
                    : $"if '{renamed.Id}' is '{old.Id}' renamed, its saved state is kept under the old name: to keep the checkpoint, name the method '{old.Id}' again";
                differences.Add(new StateLayoutDifference(old.Id, StateLayoutChange.Removed, $"stage '{old.Id}' ({old.Kind}) keeps state in the checkpoint but is no longer in the pipeline; {hint}"));
                continue;
            }

            Changed(differences, saved, current, old, now);
        }

        foreach (StateLayoutStage added in current.Stages)
        {
            if (!savedById.ContainsKey(added.Id))
            {
                differences.Add(new StateLayoutDifference(added.Id, StateLayoutChange.Added, $"stage '{added.Id}' ({added.Kind}) keeps state but the checkpoint has none for it; to keep the checkpoint, remove stage '{added.Id}'"));
            }
        }

        return differences;
    }

    /// <summary>
    /// The message a run gives when it refuses a checkpoint: what changed (<see cref="Compare"/>) and the two
    /// choices, or <see langword="null"/> when the layouts are compatible.
    /// </summary>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="checkpoint">Where the checkpoint is, as the user gave it.</param>
    /// <param name="saved">The checkpoint's layout.</param>
    /// <param name="current">The run's layout.</param>
    public static string? Incompatibility(string pipeline, string checkpoint, StateLayout saved, StateLayout current)
    {
        IReadOnlyList<StateLayoutDifference> differences = Compare(saved, current);
        if (differences.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"The checkpoint in '{checkpoint}' holds state of pipeline '{pipeline}' in a layout this build cannot read ({differences.Count} change(s) since it was written):");
        foreach (StateLayoutDifference difference in differences)
        {
            text.Append("\n  - ").Append(difference.Message);
        }

        text.Append("\nEither start with a new checkpoint directory (the state starts empty), or keep the old layout: run the code and batch interval the checkpoint was written with.");
        return text.ToString();
    }

    private static void Changed(List<StateLayoutDifference> differences, StateLayout saved, StateLayout current, StateLayoutStage old, StateLayoutStage now)
    {
        string id = old.Id;
        void Add(StateLayoutChange change, string what) =>
            differences.Add(new StateLayoutDifference(id, change, $"stage '{id}': {what}; to keep the checkpoint, restore its old declaration"));

        if (old.Kind != now.Kind)
        {
            Add(StateLayoutChange.Kind, $"its kind changed from {old.Kind} to {now.Kind}");
        }

        if (old.Key != now.Key)
        {
            Add(StateLayoutChange.KeyType, $"its key type changed from {Named(old.Key)} to {Named(now.Key)}");
        }

        if (old.Value != now.Value)
        {
            Add(StateLayoutChange.ValueType, $"its value type changed from {Named(old.Value)} to {Named(now.Value)}");
        }
        else if (old.Fields != now.Fields)
        {
            Add(StateLayoutChange.Fields, $"the fields of its types changed from {Named(old.Fields)} to {Named(now.Fields)}");
        }

        long oldLength = saved.Batches(old.LengthMilliseconds), newLength = current.Batches(now.LengthMilliseconds);
        if (oldLength != newLength)
        {
            Add(StateLayoutChange.Length, $"its window length changed from {Invariant(oldLength)} to {Invariant(newLength)} batches ({Span(saved, old.LengthMilliseconds)} to {Span(current, now.LengthMilliseconds)})");
        }

        long oldSlide = saved.Batches(old.SlideMilliseconds), newSlide = current.Batches(now.SlideMilliseconds);
        if (oldSlide != newSlide)
        {
            Add(StateLayoutChange.Slide, $"its window slide changed from {Invariant(oldSlide)} to {Invariant(newSlide)} batches ({Span(saved, old.SlideMilliseconds)} to {Span(current, now.SlideMilliseconds)})");
        }

        if (old.Settings != now.Settings)
        {
            Add(StateLayoutChange.Settings, $"its settings changed from {Named(old.Settings)} to {Named(now.Settings)}");
        }
    }

    // A stage that holds the same state under another name: what a rename looks like.
    private static bool SameState(StateLayoutStage a, StateLayoutStage b) =>
        a.Kind == b.Kind && a.Key == b.Key && a.Value == b.Value && a.Fields == b.Fields
        && a.LengthMilliseconds == b.LengthMilliseconds && a.SlideMilliseconds == b.SlideMilliseconds && a.Settings == b.Settings;

    private static string Span(StateLayout layout, long milliseconds) =>
        $"{Internal.DurationText.Format(TimeSpan.FromMilliseconds(milliseconds))} at {Internal.DurationText.Format(layout.BatchInterval)}";

    private static string Named(string text) => text.Length == 0 ? "(none)" : $"'{text}'";

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool TryLong(string text, out long value) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "...";
}

/// <summary>One stage that keeps state across batches, as the generator declares it.</summary>
/// <param name="Id">The stage's identity: its method's name.</param>
/// <param name="Kind">What state it keeps: <c>ReduceByKeyAndWindow incremental</c>, <c>MapWithState</c>, <c>EventTime</c>, ...</param>
/// <param name="Key">Its key type, fully qualified; empty for a stage without keys.</param>
/// <param name="Value">The type of the value or state it keeps per key (or per window), fully qualified; empty for a watermark.</param>
/// <param name="Fields">The fields of the user types among <paramref name="Key"/> and <paramref name="Value"/>, in declaration order; empty when there are none.</param>
/// <param name="LengthMilliseconds">A batch window's length; 0 for a stage without one.</param>
/// <param name="SlideMilliseconds">A batch window's slide; 0 for a stage without one.</param>
/// <param name="Settings">What else shapes its state, as <c>name=value</c> pairs: a timeout, a watermark's lateness, idle timeout and inputs, an event-time window's size and slide, a session's gap.</param>
public sealed record StateLayoutStage(string Id, string Kind, string Key, string Value, string Fields, long LengthMilliseconds, long SlideMilliseconds, string Settings);

/// <summary>What changed in a state layout.</summary>
public enum StateLayoutChange
{
    /// <summary>The batch interval, which renumbers batches.</summary>
    BatchInterval,

    /// <summary>A stage with state was added.</summary>
    Added,

    /// <summary>A stage with state was removed (or renamed).</summary>
    Removed,

    /// <summary>A stage keeps another kind of state.</summary>
    Kind,

    /// <summary>A stage's key type.</summary>
    KeyType,

    /// <summary>A stage's value or state type.</summary>
    ValueType,

    /// <summary>The fields of a user type a stage keeps.</summary>
    Fields,

    /// <summary>A window's length in batches.</summary>
    Length,

    /// <summary>A window's slide in batches.</summary>
    Slide,

    /// <summary>A timeout, lateness, idle timeout, number of inputs, event-time window size or slide, or session gap.</summary>
    Settings,
}

/// <summary>One change between a checkpoint's state layout and a run's.</summary>
/// <param name="Stage">The stage it concerns; <see langword="null"/> for the batch interval.</param>
/// <param name="Change">What changed.</param>
/// <param name="Message">The change in words, with what would keep the checkpoint readable.</param>
public sealed record StateLayoutDifference(string? Stage, StateLayoutChange Change, string Message);
