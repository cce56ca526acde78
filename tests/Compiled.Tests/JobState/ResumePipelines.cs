using Compiled.Checkpoints;

namespace Compiled.Tests.JobState;

/// <summary>The longest word of a key and how many words it saw: a state with a string, which writes itself into a checkpoint.</summary>
public readonly record struct WordStat(string Longest, long Count) : ICheckpointValue<WordStat>
{
    /// <inheritdoc />
    public static void WriteTo(in WordStat value, ref CheckpointWriter.Section section)
    {
        section.WriteString(value.Longest);
        section.WriteUnmanaged(value.Count);
    }

    /// <inheritdoc />
    public static WordStat ReadFrom(ref CheckpointReader.Section section) => new(section.ReadString(), section.ReadUnmanaged<long>());

    /// <inheritdoc />
    public override string ToString() => $"{Longest}/{Count}";
}

/// <summary>A word as a struct key with a string, which writes itself into a checkpoint.</summary>
public readonly record struct WordKey(string Word) : ICheckpointValue<WordKey>
{
    /// <inheritdoc />
    public static void WriteTo(in WordKey value, ref CheckpointWriter.Section section) => section.WriteString(value.Word);

    /// <inheritdoc />
    public static WordKey ReadFrom(ref CheckpointReader.Section section) => new(section.ReadString());

    /// <inheritdoc />
    public override string ToString() => Word;
}

/// <summary>
/// The state stores: running totals per word ([UpdateStateByKey], byte keys, a key removed at zero), statistics per
/// word length (struct keys, a state that writes itself), and clicks per user with a timeout ([MapWithState], struct
/// keys, a nullable output that emits on timeout), and the last users per word (a struct key with a string that writes
/// itself). Lines are "user word".
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ResumeState
{
    [Source]
    public static partial Lines<(int User, string Word)> Input();

    [Map]
    public static KeyValue<long> Word((int User, string Word) line) => new(System.Text.Encoding.UTF8.GetBytes(line.Word), line.Word.Length % 3 == 0 ? -1 : 1);

    [UpdateStateByKey]
    public static long? Total(ReadOnlySpan<long> values, long? state)
    {
        long sum = state ?? 0;
        foreach (long value in values)
        {
            sum += value;
        }

        return sum == 0 ? null : sum;
    }

    [Sink]
    public static partial void Totals(ReadOnlySpan<byte> word, long total);

    [Map(Input = nameof(Input))]
    public static (int Length, string Word) ByLength((int User, string Word) line) => (line.Word.Length, line.Word);

    [UpdateStateByKey]
    public static WordStat? Stats(ReadOnlySpan<string> words, WordStat? state)
    {
        WordStat stat = state ?? new WordStat("", 0);
        foreach (string word in words)
        {
            stat = new WordStat(string.CompareOrdinal(word, stat.Longest) > 0 ? word : stat.Longest, stat.Count + 1);
        }

        return stat;
    }

    [Sink]
    public static partial void StatsOut(int length, WordStat stat);

    [Map(Input = nameof(Input))]
    public static (int User, long One) Click((int User, string Word) line) => (line.User, 1);

    [MapWithState(Timeout = "3s")]
    public static (int User, long Clicks)? Sessions(int user, long? click, State<long> clicks)
    {
        if (clicks.IsTimingOut)
        {
            return (user, clicks.Value);
        }

        clicks.Update(clicks.GetValueOrDefault() + click!.Value);
        return clicks.Value % 4 == 0 ? (user, -clicks.Value) : null;
    }

    [Sink]
    public static partial void Ended((int User, long Clicks) session);

    [Map(Input = nameof(Input))]
    public static (WordKey Word, int User) ByWord((int User, string Word) line) => (new WordKey(line.Word), line.User);

    [UpdateStateByKey]
    public static long? Users(ReadOnlySpan<int> users, long? state) => users.Length == 0 ? state : (state ?? 0) * 10 + users[^1];

    [Sink]
    public static partial void UsersOut(WordKey word, long users);
}

/// <summary>
/// Every window of batches over one stream of "user word" lines: counts per word merged again at each slide, clicks per
/// user kept up to date (with an inverse and a filter), the number of lines, the longest word's length, a histogram of lengths, and the recent records of
/// each kind a [Window] keeps (tuples, byte-keyed records, byte lines), and the longest word per user, a nullable of a
/// value that writes itself.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ResumeWindows
{
    [Source]
    public static partial Lines<(int User, string Word)> Input();

    [Map]
    public static KeyValue<long> Word((int User, string Word) line) => new(System.Text.Encoding.UTF8.GetBytes(line.Word), 1);

    [ReduceByKeyAndWindow(Length = "4s", Slide = "2s")]
    public static long Merged(long a, long b) => a + b;

    [Sink]
    public static partial void MergedOut(ReadOnlySpan<byte> word, long count);

    [Map(Input = nameof(Input))]
    public static (int User, long One) Click((int User, string Word) line) => (line.User, 1);

    [ReduceByKeyAndWindow(Length = "5s", Slide = "1s", Inverse = nameof(Subtract), Filter = nameof(Active))]
    public static long Incremental(long a, long b) => a + b;

    public static long Subtract(long a, long b) => a - b;

    public static bool Active(int user, long clicks) => clicks > 0;

    [Sink]
    public static partial void IncrementalOut(int user, long clicks);

    [CountByWindow(Input = nameof(Input), Length = "3s", Slide = "1s")]
    public static partial long Lines((int User, string Word) line);

    [Sink]
    public static partial void LinesOut(long lines);

    [Map(Input = nameof(Input))]
    public static int Length((int User, string Word) line) => line.Word.Length;

    [ReduceByWindow(Length = "3s", Slide = "3s")]
    public static int Longest(int a, int b) => Math.Max(a, b);

    [Sink]
    public static partial void LongestOut(int length);

    [CountByValueAndWindow(Input = nameof(Length), Length = "4s", Slide = "2s")]
    public static int Lengths(int length) => length;

    [Sink]
    public static partial void LengthsOut(int length, long words);

    [Map(Input = nameof(Input))]
    public static (int User, int Length) Pair((int User, string Word) line) => (line.User, line.Word.Length);

    [Window(Length = "3s", Slide = "1s")]
    public static partial (int User, int Length) Recent((int User, int Length) pair);

    [Sink]
    public static partial void RecentOut((int User, int Length) pair);

    [Window(Input = nameof(Word), Length = "2s")]
    public static partial KeyValue<long> RecentWords(KeyValue<long> word);

    [Sink]
    public static partial void RecentWordsOut(ReadOnlySpan<byte> word, long one);

    [Map(Input = nameof(Input))]
    public static ReadOnlySpan<byte> Bytes((int User, string Word) line) => System.Text.Encoding.UTF8.GetBytes(line.Word);

    [Window(Length = "3s", Slide = "3s")]
    public static partial ReadOnlySpan<byte> RecentBytes(ReadOnlySpan<byte> word);

    [Sink]
    public static partial void RecentBytesOut(ReadOnlySpan<byte> word);

    [Map(Input = nameof(Input))]
    public static (int User, WordStat? Stat) Stat((int User, string Word) line) => (line.User, line.Word.Length == 1 ? null : new WordStat(line.Word, 1));

    [ReduceByKeyAndWindow(Length = "3s", Slide = "1s")]
    public static WordStat? LongestWord(WordStat? a, WordStat? b) =>
        a is not { } x ? b : b is not { } y ? a : new WordStat(string.CompareOrdinal(x.Longest, y.Longest) >= 0 ? x.Longest : y.Longest, x.Count + y.Count);

    [Sink]
    public static partial void LongestWordOut(int user, WordStat? stat);
}

/// <summary>
/// Event time over "millis user" lines: a watermark 2s behind the latest event, 4s tumbling and 4s-every-2s windows of
/// clicks per user, and sessions with a 3s gap; late lines go to their own sink.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ResumeEventTime
{
    [Source]
    public static partial Lines<(long Time, int User)> Input();

    [EventTime(Lateness = "2s", Late = nameof(TooLate))]
    public static long At((long Time, int User) click) => click.Time;

    [Map]
    public static (int User, long One) PerUser((long Time, int User) click) => (click.User, 1);

    [EventWindow(Size = "4s")]
    public static long Tumbling(long a, long b) => a + b;

    [Sink]
    public static partial void TumblingOut(Windowed<int, long> clicks);

    [EventWindow(Input = nameof(PerUser), Size = "4s", Slide = "2s")]
    public static long Sliding(long a, long b) => a + b;

    [Sink]
    public static partial void SlidingOut(Windowed<int, long> clicks);

    [SessionWindow(Input = nameof(PerUser), Gap = "3s")]
    public static long Sessions(long a, long b) => a + b;

    [Sink]
    public static partial void SessionsOut(Windowed<int, long> session);

    [Sink]
    public static partial void TooLate((long Time, int User) click);
}

/// <summary>Event time over two sources whose union keeps one watermark, which follows the source furthest behind.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ResumeTwoClocks
{
    [Source]
    public static partial Lines<(long Time, int User)> Live();

    [Source]
    public static partial Lines<(long Time, int User)> Replayed();

    [Union(Input = nameof(Live), Other = nameof(Replayed))]
    public static partial (long Time, int User) Both((long Time, int User) click);

    [EventTime(Lateness = "1s", Late = nameof(TooLate))]
    public static long At((long Time, int User) click) => click.Time;

    [Map]
    public static (int User, long One) PerUser((long Time, int User) click) => (click.User, 1);

    [EventWindow(Size = "3s")]
    public static long Clicks(long a, long b) => a + b;

    [Sink]
    public static partial void PerThreeSeconds(Windowed<int, long> clicks);

    [Sink]
    public static partial void TooLate((long Time, int User) click);
}

/// <summary>Running totals per word from an initial state that gives "a" 100.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SeededTotals
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [UpdateStateByKey(InitialState = nameof(Seed))]
    public static long? Total(ReadOnlySpan<long> values, long? state) => (state ?? 0) + values.Length;

    public static IEnumerable<(string Key, long State)> Seed() => [("a", 100)];

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}
