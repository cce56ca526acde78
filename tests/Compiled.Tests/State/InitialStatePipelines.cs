using System.Globalization;

namespace Compiled.Tests.State;

/// <summary>
/// BasicOperationsSuite "updateStateByKey - with initial value RDD": (word, 1) pairs summed per word, from an initial
/// state given by the test (<c>initialRDD</c>).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordTotals
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    // (values, state) => Some(values.sum + state.getOrElse(0))
    [UpdateStateByKey]
    public static long? Total(ReadOnlySpan<long> values, long? state)
    {
        long sum = state ?? 0;
        foreach (long value in values)
        {
            sum += value;
        }

        return sum;
    }

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}

/// <summary>
/// BasicOperationsSuite "updateStateByKey - testing time stamps as input": Spark's (time, key, values, state) form; the
/// state adds the values' sum times the batch time, from an initial state of 0 for "a" and "c". Each call is logged
/// with its time and key.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class TimeStamped
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [UpdateStateByKey]
    public static long? Stamped(long batchTime, ReadOnlySpan<byte> key, ReadOnlySpan<long> values, long? state)
    {
        long sum = 0;
        foreach (long value in values)
        {
            sum += value;
        }

        CallLog.Add($"{batchTime.ToString(CultureInfo.InvariantCulture)} {System.Text.Encoding.UTF8.GetString(key)}");
        return (state ?? 0) + (sum * batchTime);
    }

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> word, long stamped);
}

/// <summary>
/// MapWithStateSuite "mapWithState - initial states, with nothing returned as from mapping function": the state counts
/// the key's records, from an initial state given by the test; nothing is emitted.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SilentCounts
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    // (time, key, value, state) => { val sum = value.getOrElse(0) + state.getOption.getOrElse(0); state.update(sum); None }
    [MapWithState]
    public static int? Count(ReadOnlySpan<byte> word, int? one, State<int> state)
    {
        state.Update((one ?? 0) + state.GetValueOrDefault());
        return null;
    }

    [Sink]
    public static partial void Output(int nothing);
}

/// <summary>
/// Initial state from the pipeline itself, as a run gets it: <c>InitialState = nameof(...)</c> on an
/// [UpdateStateByKey] over struct keys (in the (time, key, values, state) form, each call logged), and on a [MapWithState] with a timeout over byte keys (given as strings).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SeededState
{
    [Source]
    public static partial Lines<(int Account, long Amount)> Payments();

    [UpdateStateByKey(InitialState = nameof(OpeningBalances))]
    public static long? Balance(long batchTime, int account, ReadOnlySpan<long> amounts, long? balance)
    {
        CallLog.Add($"{batchTime.ToString(CultureInfo.InvariantCulture)} {account.ToString(CultureInfo.InvariantCulture)}");
        long sum = balance ?? 0;
        foreach (long amount in amounts)
        {
            sum += amount;
        }

        return sum;
    }

    [Sink]
    public static partial void Balances(int account, long balance);

    [Map(Input = nameof(Payments))]
    public static KeyValue<long> ByName((int Account, long Amount) payment) =>
        new(payment.Account == 1 ? "one"u8 : "other"u8, payment.Amount);

    [MapWithState(Timeout = "2s", InitialState = nameof(OpenSessions))]
    public static (string Name, long Total)? Session(ReadOnlySpan<byte> name, long? amount, State<long> total)
    {
        if (total.IsTimingOut)
        {
            return (System.Text.Encoding.UTF8.GetString(name), total.Value);
        }

        total.Update(total.GetValueOrDefault() + amount!.Value);
        return null;
    }

    [Sink]
    public static partial void Closed((string Name, long Total) session);

    /// <summary>Account 1 opens with 100, account 7 with 700.</summary>
    public static IEnumerable<(int Account, long Balance)> OpeningBalances()
    {
        yield return (1, 100);
        yield return (7, 700);
    }

    /// <summary>"one" has a session of 10 open, "idle" one of 5 that gets no records.</summary>
    public static (string Name, long Total)[] OpenSessions() => [("one", 10), ("idle", 5)];
}
