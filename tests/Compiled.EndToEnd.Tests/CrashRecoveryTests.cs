using System.Globalization;
using System.Text;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// Exactly-once recovery, as a machine failure meets it: each sample runs over a watched directory fed files over
/// time, with the file sink and a checkpoint, is killed with SIGKILL at seeded random moments and restarted; its whole
/// output must be what the input gives, nothing missing and nothing doubled. <c>COMPILED_CRASH_KILLS=30</c> runs the
/// long version (see the README).
/// </summary>
public class CrashRecoveryTests
{
    private static List<byte[]> TextFiles(int count, int seed) =>
        Enumerable.Range(seed, count).Select(s => Reference.RandomText(s, lines: 40)).ToList();

    // Each file is read on its own: its last line ends at its end, even without a line break.
    private static Dictionary<string, long> CountWords(IEnumerable<byte[]> files) =>
        FileSinkOutput.Sum(files.Select(Reference.WordCounts));

    private static Dictionary<string, long> Sum(SortedDictionary<long, byte[]> batches) =>
        FileSinkOutput.Sum(batches.Values.Select(FileSinkOutput.ParsePairs));

    [Fact]
    public async Task WordCount_KilledAndRestarted_CountsEveryWordOnce()
    {
        using var temp = new TempDirectory();
        var harness = new CrashHarness(Repo.WordCountExecutable, Repo.WordCountDirectory, temp);
        List<byte[]> files = TextFiles(30, CrashHarness.Seed);
        Dictionary<string, long> expected = CountWords(files);

        SortedDictionary<long, byte[]> output = await harness.RunAsync(files, TimeSpan.FromMilliseconds(100), batches => Sum(batches).Values.Sum() >= expected.Values.Sum());

        Dictionary<string, long> counted = Sum(output);
        Assert.True(
            expected.Count == counted.Count && expected.All(e => counted.GetValueOrDefault(e.Key) == e.Value),
            $"The counts differ from the input's ({Difference(expected, counted)}); {harness.Schedule}\n{harness.Log}");
    }

    [Fact]
    public async Task StatefulWordCount_KilledAndRestarted_EachWordsLastTotalIsItsCountInAllInput()
    {
        using var temp = new TempDirectory();
        var harness = new CrashHarness(Repo.StatefulWordCountExecutable, Repo.StatefulWordCountDirectory, temp);
        List<byte[]> files = TextFiles(30, CrashHarness.Seed + 1000);
        Dictionary<string, long> expected = CountWords(files);

        SortedDictionary<long, byte[]> output = await harness.RunAsync(files, TimeSpan.FromMilliseconds(100), batches => LastTotals(batches).Count == expected.Count && LastTotals(batches).All(t => expected.GetValueOrDefault(t.Key) <= t.Value));

        Dictionary<string, long> last = LastTotals(output);
        Assert.True(
            expected.Count == last.Count && expected.All(e => last.GetValueOrDefault(e.Key) == e.Value),
            $"The last totals differ from the input's counts ({Difference(expected, last)}); {harness.Schedule}\n{harness.Log}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PageViews_KilledOrStoppedAndRestarted_EmitsEachEventTimeWindowOnce_WithItsViews(bool graceful)
    {
        // Stopped with SIGTERM, the job keeps its open windows in the checkpoint rather than emitting them early: the
        // restarts emit exactly the windows an uninterrupted run emits.
        using var temp = new TempDirectory();
        var harness = new CrashHarness(Repo.PageViewsExecutable, Repo.PageViewsDirectory, temp);
        (List<byte[]> files, List<string> expected) = PageViewFiles(30, CrashHarness.Seed + 2000);

        SortedDictionary<long, byte[]> output = await harness.RunAsync(files, TimeSpan.FromMilliseconds(100), batches => Lines(batches).Count >= expected.Count, graceful);

        List<string> emitted = Lines(output);
        Assert.True(
            expected.SequenceEqual(emitted),
            $"The windows differ from the input's: missing {string.Join(" ", expected.Except(emitted).Take(5))}, " +
            $"unexpected or doubled {string.Join(" ", Doubled(emitted).Concat(emitted.Except(expected)).Take(5))} " +
            $"({expected.Count} expected, {emitted.Count} emitted); {harness.Schedule}\n{harness.Log}");
    }

    // Views in time order with up to 3 s of disorder (the sample allows 5 s), ten-second windows; the last file holds
    // one view far ahead, which moves the watermark past every window before it, so that all of them are emitted.
    private static List<string> Lines(SortedDictionary<long, byte[]> batches) =>
        batches.Values.SelectMany(b => Encoding.ASCII.GetString(b).Split('\n', StringSplitOptions.RemoveEmptyEntries)).Order(StringComparer.Ordinal).ToList();

    private static (List<byte[]> Files, List<string> Expected) PageViewFiles(int count, int seed)
    {
        var random = new Random(seed);
        string[] pages = ["/", "/cart", "/search", "/help", "/item/1", "/item/2", "/item/3"];
        long time = 1_767_225_600_000;
        var files = new List<byte[]>();
        var windows = new Dictionary<(long Start, string Page), long>();
        for (int f = 0; f < count; f++)
        {
            var text = new StringBuilder();
            for (int i = 0; i < 50; i++)
            {
                time += random.Next(0, 200);
                long at = random.Next(10) == 0 ? time - random.Next(0, 3000) : time;
                string page = pages[random.Next(pages.Length)];
                text.Append(at.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(page).Append('\n');
                long start = at - (at % 10_000);
                windows[(start, page)] = windows.GetValueOrDefault((start, page)) + 1;
            }

            files.Add(Encoding.ASCII.GetBytes(text.ToString()));
        }

        files.Add(Encoding.ASCII.GetBytes((time + 60_000).ToString(CultureInfo.InvariantCulture) + " /\n"));
        List<string> expected = windows
            .Select(w => $"([{w.Key.Start.ToString(CultureInfo.InvariantCulture)},{(w.Key.Start + 10_000).ToString(CultureInfo.InvariantCulture)}),{w.Key.Page},{w.Value.ToString(CultureInfo.InvariantCulture)})")
            .Order(StringComparer.Ordinal)
            .ToList();
        return (files, expected);
    }

    private static Dictionary<string, long> LastTotals(SortedDictionary<long, byte[]> batches)
    {
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (byte[] lines in batches.Values)
        {
            foreach ((string word, long total) in FileSinkOutput.ParsePairs(lines))
            {
                last[word] = total;
            }
        }

        return last;
    }

    private static IEnumerable<string> Doubled(List<string> lines) =>
        lines.GroupBy(l => l, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);

    private static string Difference(Dictionary<string, long> expected, Dictionary<string, long> actual) =>
        string.Join(", ", expected.Keys.Union(actual.Keys)
            .Where(k => expected.GetValueOrDefault(k) != actual.GetValueOrDefault(k))
            .Take(5)
            .Select(k => $"'{k}': {expected.GetValueOrDefault(k)} in the input, {actual.GetValueOrDefault(k)} in the output"));
}
