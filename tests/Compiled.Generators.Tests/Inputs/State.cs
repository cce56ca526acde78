using Compiled;

namespace Clicks;

/// <summary>State across batches: a running total per user, and sessions that end after 30 idle seconds.</summary>
[Pipeline(BatchInterval = "10s", Checkpoint = "checkpoints/sessions")]
public static partial class Sessions
{
    [Source]
    public static partial Lines<(int User, long Clicks)> Clicks();

    [UpdateStateByKey]
    public static long? Total(ReadOnlySpan<long> clicks, long? total)
    {
        long sum = total ?? 0;
        foreach (long count in clicks)
        {
            sum += count;
        }

        return sum == 0 ? null : sum;
    }

    [Sink(Default = "console")]
    public static partial void Totals(int user, long total);

    [MapWithState(Input = nameof(Clicks), Timeout = "30s")]
    public static (int User, long Clicks)? Track(int user, long? clicks, State<long> session)
    {
        if (session.IsTimingOut)
        {
            return (user, session.Value);
        }

        session.Update(session.GetValueOrDefault() + clicks!.Value);
        return null;
    }

    [Sink(Default = "console")]
    public static partial void Ended((int User, long Clicks) session);
}
