using Compiled.Testing;
using Samples.Nexmark.Queries;

namespace Compiled.Nexmark.Tests;

/// <summary>
/// The joins' state survives a checkpoint: a query stopped halfway, its checkpoint restored into a new job that is fed
/// the rest, emits what the query run through emits, record for record. So the state types that write themselves
/// (<see cref="SellerState"/>, <see cref="NewUser"/>, <see cref="OpenAuction"/> with bids waiting) read back what
/// they wrote, and the auctions open at the stop close after it as they would have.
/// </summary>
public class JoinResumeTests
{
    [Theory]
    [InlineData(3, 20)]
    [InlineData(5, 51)]
    public void Q3_ResumesAsIfUninterrupted(long seed, int stopAfter) =>
        AssertResumes(seed, stopAfter, () => new Q3.TestDriver(), (test, events, from, to) => events.Feed(from, to, test.Persons, test.Auctions, null), test => test.Output.Records);

    [Theory]
    [InlineData(3, 20)]
    [InlineData(5, 51)]
    public void Q4_ResumesAsIfUninterrupted(long seed, int stopAfter) =>
        AssertResumes(seed, stopAfter, () => new Q4.TestDriver(), (test, events, from, to) => events.Feed(from, to, null, test.Auctions, test.Bids), test => test.Output.Records);

    [Theory]
    [InlineData(3, 20)]
    [InlineData(5, 51)]
    public void Q6_ResumesAsIfUninterrupted(long seed, int stopAfter) =>
        AssertResumes(seed, stopAfter, () => new Q6.TestDriver(), (test, events, from, to) => events.Feed(from, to, null, test.Auctions, test.Bids), test => test.Output.Records);

    [Theory]
    [InlineData(3, 20)]
    [InlineData(5, 51)]
    public void Q8_ResumesAsIfUninterrupted(long seed, int stopAfter) =>
        AssertResumes(seed, stopAfter, () => new Q8.TestDriver(), (test, events, from, to) => events.Feed(from, to, test.Persons, test.Auctions, null), test => test.Output.Records);

    private static void AssertResumes<TDriver, TRecord>(
        long seed, int stopAfter, Func<TDriver> create, Action<TDriver, NexmarkEvents, int, int> feed, Func<TDriver, IEnumerable<TRecord>> output)
        where TDriver : PipelineTestDriver
    {
        NexmarkEvents events = NexmarkEvents.Generate(seed, 20_000);

        using TDriver through = create();
        feed(through, events, 0, events.Batches);
        through.RunToEnd();

        using TDriver before = create();
        feed(before, events, 0, stopAfter);
        before.Run();
        byte[] checkpoint = before.Checkpoint();

        using TDriver after = create();
        after.Restore(checkpoint);
        feed(after, events, stopAfter, events.Batches);
        after.RunToEnd();

        TRecord[] expected = output(through).ToArray();
        Assert.NotEmpty(output(after));
        Assert.Equal(expected, output(before).Concat(output(after)).ToArray());
    }
}
