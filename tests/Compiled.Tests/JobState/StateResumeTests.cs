namespace Compiled.Tests.JobState;

/// <summary>
/// The state stores of a generated job survive a checkpoint: [UpdateStateByKey] with byte keys, with struct keys and a
/// state that writes itself (ICheckpointValue, registered by the job), and with a struct key that writes itself, and
/// [MapWithState] with a timeout that fires after the restart, go on after WriteState → ReadState exactly as if the job
/// had run through.
/// </summary>
public class StateResumeTests
{
    private const int Batches = 10;

    public static TheoryData<int, int> Cases => Resume.SeedsAndStops(seeds: 4, Batches);

    [Theory]
    [MemberData(nameof(Cases))]
    public void StateStores_ResumeAsIfUninterrupted(int seed, int stopAfter)
    {
        List<(int User, string Word)[]> input = RandomInput(seed);
        Resume.AssertResumesAsIfUninterrupted(
            () => new ResumeState.TestDriver(),
            (test, i) => test.Input.Batch(input[i]),
            test => Emitted.Of("Totals", test.Totals)
                .Concat(Emitted.Of("StatsOut", test.StatsOut))
                .Concat(Emitted.Of("Ended", test.Ended))
                .Concat(Emitted.Of("Total", test.Total))
                .Concat(Emitted.Of("Stats", test.Stats))
                .Concat(Emitted.Of("Sessions", test.Sessions))
                .Concat(Emitted.Of("UsersOut", test.UsersOut))
                .Concat(Emitted.Of("Users", test.Users)),
            Batches,
            stopAfter);
    }

    [Fact]
    public void MapWithState_KeyIdleAcrossTheRestart_TimesOutOnSchedule()
    {
        // User 7 clicks in batches 1 and 2 only; with a 3s timeout its session ends in batch 6, three batches after the
        // checkpoint of batch 2. The key's last update is kept as a batch number, so the restart times it out then.
        using var before = new ResumeState.TestDriver();
        before.Input.Batch((7, "ab")).Batch((7, "cd"));
        before.Run();
        byte[] checkpoint = before.Checkpoint();

        using var after = new ResumeState.TestDriver();
        after.Restore(checkpoint);
        after.Run(batches: 5);

        Assert.Equal([3000, 4000, 5000, 6000, 7000], after.Ended.Batches.Select(b => b.Time));
        Assert.Equal([(7, 2L)], after.Ended.Batches.Single(b => b.Records.Count > 0).Records);
        Assert.Equal(6000, after.Ended.Batches.Single(b => b.Records.Count > 0).Time);
    }

    [Fact]
    public void InitialState_IsNotPutAgain_AfterARestore()
    {
        // The pipeline's InitialState gives "a" 100. Resumed from a checkpoint in which "a" went to 101, the job goes on
        // from 101: the initial state counts only for a job that starts without a checkpoint.
        using var before = new SeededTotals.TestDriver();
        before.Input.Batch("a");
        before.Run();
        Assert.Equal([("a", 101L)], before.Output.Batches[0].Records);

        using var after = new SeededTotals.TestDriver();
        after.Restore(before.Checkpoint());
        after.Input.Batch("b");
        after.Run();
        Assert.Equal([("a", 101L), ("b", 1L)], after.Output.Batches[0].Records);
    }

    // Batches of 0 to 6 "user word" lines over a few users and words, some words long enough to change a length's longest.
    private static List<(int User, string Word)[]> RandomInput(int seed)
    {
        var random = new Random(seed);
        string[] words = ["a", "bb", "ccc", "dd", "e", "ffff", "ggg", "hhhhh"];
        return Enumerable.Range(0, Batches)
            .Select(_ => Enumerable.Range(0, random.Next(7)).Select(_ => (random.Next(1, 5), words[random.Next(words.Length)])).ToArray())
            .ToList();
    }
}
