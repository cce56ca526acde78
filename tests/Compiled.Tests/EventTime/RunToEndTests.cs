using static Compiled.Tests.EventTimeTests.EventTimeTestKit;

namespace Compiled.Tests.EventTimeTests;

/// <summary>The last batch of a run closes every open window; input that merely stops closes nothing.</summary>
public class RunToEndTests
{
    [Fact]
    public void InputThatStops_KeepsWindowsOpen_RunToEnd_ClosesEachOnce()
    {
        // DroppedLate: the watermark after the only batch is 2000 - 5s; no window ends that early. (2000 is the end of
        // [-8000,2000), so b is not in it.)
        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batch((1000, "a", 1), (2000, "b", 2));
        test.Run();
        test.Run(5); // empty batches: no event, so the watermark stays where it was

        Assert.Equal(6, test.TumblingOut.Batches.Count);
        Assert.Empty(test.TumblingOut.Records);
        Assert.Empty(test.SlidingOut.Records);
        Assert.Empty(test.SessionsOut.Records);

        test.RunToEnd(); // no input left: one empty batch, the last
        test.Run(2);     // and nothing after it

        Assert.Equal(9, test.BatchesRun);
        Assert.Equal([At(7000, W(0, 10000, "a", 1), W(0, 10000, "b", 2)), At(8000), At(9000)], test.TumblingOut.Batches.Skip(6));
        Assert.Equal(
            [
                At(7000, W(-8000, 2000, "a", 1), W(-4000, 6000, "a", 1), W(-4000, 6000, "b", 2), W(0, 10000, "a", 1), W(0, 10000, "b", 2)),
                At(8000),
                At(9000),
            ],
            test.SlidingOut.Batches.Skip(6));
        Assert.Equal([At(7000, W(1000, 4000, "a", 1), W(2000, 5000, "b", 2)), At(8000), At(9000)], Canonical(test.SessionsOut.Batches.Skip(6)));
    }

    [Fact]
    public void RunToEnd_WithInputLeft_RunsIt_AndItsLastBatchClosesEverything()
    {
        using var test = new StructKeys.TestDriver();
        test.Clicks.Batch((1000, 7, 1)).Batch().Batch((2000, 7, 2));
        test.RunToEnd();

        Assert.Equal(3, test.BatchesRun);
        Assert.Equal(
            [
                At(1000),
                At(2000),
                At(3000, W(-5000, 5000, "7", 3), W(0, 10000, "7", 3)),
            ],
            AsText(test.SlidingOut.Batches));
        Assert.Equal([At(1000), At(2000), At(3000, W(1000, 5000, "7", 3))], AsText(test.SessionsOut.Batches));
    }
}
