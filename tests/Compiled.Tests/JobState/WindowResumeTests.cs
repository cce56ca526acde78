namespace Compiled.Tests.JobState;

/// <summary>
/// The windows of batches of a generated job survive a checkpoint taken after any batch, between two slides or at one:
/// a [ReduceByKeyAndWindow] merged again at each slide and one kept up to date with an inverse and a filter, a
/// [CountByWindow], a [ReduceByWindow], a [CountByValueAndWindow] and [Window]s of tuples, byte-keyed records and byte lines go on after WriteState →
/// ReadState exactly as if the job had run through, to the end of the input (when a window emits what it still holds).
/// </summary>
public class WindowResumeTests
{
    private const int Batches = 12;

    public static TheoryData<int, int> Cases => Resume.SeedsAndStops(seeds: 3, Batches);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Windows_ResumeAsIfUninterrupted(int seed, int stopAfter) => AssertResumes(seed, stopAfter, toEnd: false);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Windows_ResumeAsIfUninterrupted_ToTheEndOfTheInput(int seed, int stopAfter) => AssertResumes(seed, stopAfter, toEnd: true);

    private static void AssertResumes(int seed, int stopAfter, bool toEnd)
    {
        List<(int User, string Word)[]> input = RandomInput(seed);
        Resume.AssertResumesAsIfUninterrupted(
            () => new ResumeWindows.TestDriver(),
            (test, i) => test.Input.Batch(input[i]),
            test => Emitted.Of("MergedOut", test.MergedOut)
                .Concat(Emitted.Of("IncrementalOut", test.IncrementalOut))
                .Concat(Emitted.Of("LinesOut", test.LinesOut))
                .Concat(Emitted.Of("LongestOut", test.LongestOut))
                .Concat(Emitted.Of("LengthsOut", test.LengthsOut))
                .Concat(Emitted.Of("RecentOut", test.RecentOut))
                .Concat(Emitted.Of("RecentWordsOut", test.RecentWordsOut))
                .Concat(Emitted.Of("RecentBytesOut", test.RecentBytesOut))
                .Concat(Emitted.Of("LongestWordOut", test.LongestWordOut)),
            Batches,
            stopAfter,
            toEnd);
    }

    // Batches of 0 to 5 "user word" lines, with a quiet stretch so that keys leave the windows and come back.
    private static List<(int User, string Word)[]> RandomInput(int seed)
    {
        var random = new Random(seed);
        string[] words = ["a", "bb", "ccc", "dd", "e", "ffff"];
        return Enumerable.Range(0, Batches)
            .Select(i => i is 5 or 6
                ? []
                : Enumerable.Range(0, random.Next(6)).Select(_ => (random.Next(1, 4), words[random.Next(words.Length)])).ToArray())
            .ToList();
    }
}
