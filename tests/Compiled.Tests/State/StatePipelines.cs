using System.Globalization;

namespace Compiled.Tests.State;

// Pipelines for the tests of the stateful stages. Each user function is written to make what the generated code
// did to it visible in its output (how often it was called, with which values in which order, with which state),
// so the tests can compare that output with a reference model stepped batch by batch.

/// <summary>
/// Spark's running word count (<c>StatefulNetworkWordCount</c>; BasicOperationsSuite "updateStateByKey"):
/// <c>flatMap(split).map((_, 1)).updateStateByKey((values, state) =&gt; Some(values.sum + state.getOrElse(0)))</c>.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class RunningWordCount
{
    [Source]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line);

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [UpdateStateByKey]
    public static long? Count(ReadOnlySpan<long> values, long? state)
    {
        long sum = state ?? 0;
        foreach (long value in values)
        {
            sum += value;
        }

        return sum;
    }

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> word, long count);
}

/// <summary>The state of BasicOperationsSuite "updateStateByKey - object lifecycle": a count, and how many batches in a row saw no value.</summary>
public readonly record struct Lifecycle(long Counter, int ExpireCounter);

/// <summary>
/// BasicOperationsSuite "updateStateByKey - object lifecycle": a state is dropped when it has been seen twice in a
/// row without new values; the output is <c>mapValues(_.counter)</c>, a stage after the stateful one.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ObjectLifecycle
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [UpdateStateByKey]
    public static Lifecycle? Update(ReadOnlySpan<int> values, Lifecycle? state)
    {
        Lifecycle current = state ?? new Lifecycle(0, 0);
        int sum = 0;
        foreach (int value in values)
        {
            sum += value;
        }

        current = sum == 0
            ? current with { ExpireCounter = current.ExpireCounter + 1 }
            : new Lifecycle(current.Counter + sum, 0);
        return current.ExpireCounter == 2 ? null : current;
    }

    [Map]
    public static KeyValue<long> Counter(ReadOnlySpan<byte> key, Lifecycle state) => new(key, state.Counter);

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> word, long counter);
}

/// <summary>A value of <see cref="Tallies"/>: the key it was sent with, so the update function can name its key.</summary>
public readonly record struct Reading(int Key, long Value);

/// <summary>
/// What the update functions below keep per key: how often they were called, the values' sum, an
/// order-sensitive fingerprint of every value in the order received, and how many calls in a row had no value.
/// </summary>
public readonly record struct Tally(long Calls, long Sum, long Fingerprint, int Idle)
{
    /// <summary>
    /// The rule both the pipelines and the tests' reference model follow (the model has its own copy): a value of 0
    /// removes the key; otherwise the call is counted, the values summed and fingerprinted in order, and a key
    /// idle for <see cref="MaxIdle"/> calls in a row is removed.
    /// </summary>
    public const int MaxIdle = 3;
}

/// <summary>Records each call of an update or mapping function on the test's thread (the test driver runs on it).</summary>
public static class CallLog
{
    [ThreadStatic]
    private static List<string>? _calls;

    /// <summary>The calls since the last <see cref="Take"/>.</summary>
    public static void Add(string call) => (_calls ??= []).Add(call);

    /// <summary>Returns the calls recorded since the last time, and forgets them.</summary>
    public static List<string> Take()
    {
        List<string> calls = _calls ?? [];
        _calls = [];
        return calls;
    }
}

/// <summary>The state of <see cref="Tallies"/>: the key (so a call without values can say whose it is) and its <see cref="Tally"/>.</summary>
public readonly record struct KeyedTally(int Key, Tally Tally);

/// <summary>updateStateByKey over struct keys: a (key, value) source, a value that carries its key, a <see cref="KeyedTally"/> per key.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Tallies
{
    [Source]
    public static partial Lines<(int Key, long Value)> Readings();

    [Map]
    public static (int, Reading) Tag(int key, long value) => (key, new Reading(key, value));

    [UpdateStateByKey]
    public static KeyedTally? Update(ReadOnlySpan<Reading> values, KeyedTally? state)
    {
        // The key comes from the values, or from the state; a call with neither would be a bug, and logs as '?'.
        string key = values.Length > 0 ? values[0].Key.ToString(CultureInfo.InvariantCulture)
            : state is { } known ? known.Key.ToString(CultureInfo.InvariantCulture)
            : "?";
        var text = new List<string>();
        long[] raw = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            raw[i] = values[i].Value;
            text.Add(values[i].Key == values[0].Key ? raw[i].ToString(CultureInfo.InvariantCulture) : $"value of key {values[i].Key}");
        }

        CallLog.Add(Call(key, text, state?.Tally));
        return Step(raw, state?.Tally) is { } next ? new KeyedTally(values.Length > 0 ? values[0].Key : state!.Value.Key, next) : null;
    }

    [Sink]
    public static partial void Output(int key, KeyedTally tally);

    /// <summary>How a call is logged: <c>key: [values] calls-before</c>.</summary>
    internal static string Call<T>(string key, IEnumerable<T> values, Tally? before) =>
        $"{key}: [{string.Join(",", values)}] {(before is { } b ? b.Calls.ToString(CultureInfo.InvariantCulture) : "none")}";

    /// <summary>The <see cref="Tally"/> rule, shared with <see cref="ByteTallies"/>.</summary>
    internal static Tally? Step(ReadOnlySpan<long> values, Tally? state)
    {
        Tally tally = state ?? default;
        long sum = 0;
        long fingerprint = tally.Fingerprint;
        foreach (long value in values)
        {
            if (value == 0)
            {
                return null;
            }

            sum += value;
            fingerprint = unchecked((fingerprint * 31) + value);
        }

        int idle = values.Length == 0 ? tally.Idle + 1 : 0;
        return idle == Tally.MaxIdle ? null : new Tally(tally.Calls + 1, tally.Sum + sum, fingerprint, idle);
    }
}

/// <summary>updateStateByKey over byte-span keys: "key:value" lines, split at the last ':' by a <c>[Map]</c> to <see cref="KeyValue{TValue}"/>.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ByteTallies
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Split(ReadOnlySpan<byte> line) => KeyValueLine.Parse(line);

    [UpdateStateByKey]
    public static Tally? Update(ReadOnlySpan<long> values, Tally? state)
    {
        CallLog.Add(Tallies.Call("", values.ToArray(), state));
        return Tallies.Step(values, state);
    }

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> key, Tally tally);
}

/// <summary>Parses "key:value" lines: the key is everything before the last ':'.</summary>
public static class KeyValueLine
{
    /// <summary>The key's bytes and the value.</summary>
    public static KeyValue<long> Parse(ReadOnlySpan<byte> line)
    {
        int colon = line.LastIndexOf((byte)':');
        return new KeyValue<long>(line[..colon], long.Parse(line[(colon + 1)..], CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// MapWithStateSuite "basic operations with simple API", "basic operations with advanced API" and "states as
/// mapped data": three mapping functions over the same (word, 1) pairs, each into its own sink.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SparkMapWithState
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    // (key, value, state) => { val sum = value.getOrElse(0) + state.getOption.getOrElse(0); state.update(sum); sum }
    [MapWithState]
    public static long Simple(ReadOnlySpan<byte> word, long? one, State<long> state)
    {
        long sum = (one ?? 0) + state.GetValueOrDefault();
        state.Update(sum);
        return sum;
    }

    [Sink]
    public static partial void Sums(long sum);

    // ... state.update(sum); Some(key * 2)
    [MapWithState(Input = nameof(Pair))]
    public static string Advanced(ReadOnlySpan<byte> word, long? one, State<long> state)
    {
        long sum = (one ?? 0) + state.GetValueOrDefault();
        state.Update(sum);
        string key = System.Text.Encoding.UTF8.GetString(word);
        return key + key;
    }

    [Sink]
    public static partial void Doubled(string key);

    // ... val output = (key, sum); state.update(sum); Some(output)
    [MapWithState(Input = nameof(Pair))]
    public static KeyValue<long> StatesAsMapped(ReadOnlySpan<byte> word, long? one, State<long> state)
    {
        long sum = (one ?? 0) + state.GetValueOrDefault();
        state.Update(sum);
        return new KeyValue<long>(word, sum);
    }

    [Sink]
    public static partial void Pairs(ReadOnlySpan<byte> word, long sum);
}

/// <summary>
/// MapWithStateSuite "state removing": <c>if (state.exists) { state.remove(); Some(key) } else { state.update(value.get); None }</c>.
/// The key is a word of one letter; the output is that letter.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class StateRemoving
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [MapWithState]
    public static char? RemoveSecond(ReadOnlySpan<byte> word, long? value, State<long> state)
    {
        if (state.Exists)
        {
            state.Remove();
            return (char)word[0];
        }

        state.Update(value!.Value);
        return null;
    }

    [Sink]
    public static partial void Removed(char key);
}

/// <summary>What a call of <see cref="Timeouts"/>' mapping function saw and did: one record per call that emits.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value; null for the last call of a key that times out.</param>
/// <param name="Before">The state before the call; null if there was none.</param>
/// <param name="After">The state after the call; null if there is none.</param>
/// <param name="TimingOut">Whether the state said it was timing out.</param>
public readonly record struct Event(int Key, long? Value, long? Before, long? After, bool TimingOut)
{
    /// <summary>The event as <c>k=v before→after</c>, for failure messages.</summary>
    public override string ToString() =>
        $"{Key}={(Value?.ToString(CultureInfo.InvariantCulture) ?? "null")} {Text(Before)}→{Text(After)}{(TimingOut ? " timing out" : "")}";

    private static string Text(long? state) => state?.ToString(CultureInfo.InvariantCulture) ?? "none";
}

/// <summary>
/// mapWithState over struct keys, driven by the values: a positive value adds itself to the state; 0 only reads
/// it; -1 removes it; -2 reads it and emits nothing. A key idle for 3 s (3 batches) times out, and its last call
/// emits an event too. The same function without a timeout is the second stage.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Timeouts
{
    [Source]
    public static partial Lines<(int Key, long Value)> Commands();

    [MapWithState(Timeout = "3s")]
    public static Event? Track(int key, long? value, State<long> state) => Commands(key, value, state);

    [Sink]
    public static partial void Events(Event e);

    [MapWithState(Input = nameof(Commands))]
    public static Event? Forever(int key, long? value, State<long> state) => Commands(key, value, state);

    [Sink]
    public static partial void ForeverEvents(Event e);

    /// <summary>The rule (the tests' reference model has its own copy).</summary>
    internal static Event? Commands(int key, long? value, State<long> state)
    {
        long? before = state.Exists ? state.Value : null;
        switch (value)
        {
            case null:
                break; // the last call of a key that times out: it may only read
            case > 0:
                state.Update(state.GetValueOrDefault() + value.Value);
                break;
            case 0:
                break;
            case -1:
                state.Remove();
                break;
            case -2:
                return null;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value, "not a command");
        }

        return new Event(key, value, before, state.Exists ? state.Value : null, state.IsTimingOut);
    }
}

/// <summary>
/// mapWithState over byte-span keys with a timeout: "key:value" lines; each call emits (key, running sum), and the
/// last call of a key that times out emits (key, -sum). Value 0 removes the key (and emits (key, 0)).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ByteSessions
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Split(ReadOnlySpan<byte> line) => KeyValueLine.Parse(line);

    [MapWithState(Timeout = "2s")]
    public static KeyValue<long> Session(ReadOnlySpan<byte> key, long? value, State<long> state)
    {
        if (state.IsTimingOut)
        {
            return new KeyValue<long>(key, -state.Value);
        }

        if (value == 0)
        {
            state.Remove();
            return new KeyValue<long>(key, 0);
        }

        long sum = state.GetValueOrDefault() + value!.Value;
        state.Update(sum);
        return new KeyValue<long>(key, sum);
    }

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> key, long sum);
}

/// <summary>
/// Misuses of <see cref="State{TState}"/>, chosen by the key: on its last call, key 1 updates the state, key 2
/// removes it, key 3 reads <see cref="State{TState}.Value"/> of a key without a state (on its first record).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class StateMisuse
{
    [Source]
    public static partial Lines<(int Key, long Value)> Commands();

    [MapWithState(Timeout = "1s")]
    public static long Misuse(int key, long? value, State<long> state)
    {
        if (key == 3)
        {
            return state.Value;
        }

        if (state.IsTimingOut)
        {
            if (key == 1)
            {
                state.Update(42);
            }
            else
            {
                state.Remove();
            }

            return -1;
        }

        state.Update(value!.Value);
        return value.Value;
    }

    [Sink]
    public static partial void Output(long value);
}

/// <summary>
/// Both stateful stages straight off a <c>Lines&lt;(int, long)&gt;</c> source (struct keys, no stage between):
/// a running sum per key, and sessions that emit (key, sum) when they end after 2 idle seconds.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class StructSessions
{
    [Source]
    public static partial Lines<(int Key, long Value)> Readings();

    [UpdateStateByKey]
    public static long? Sum(ReadOnlySpan<long> values, long? sum)
    {
        long total = sum ?? 0;
        foreach (long value in values)
        {
            total += value;
        }

        return total;
    }

    [Sink]
    public static partial void Sums(int key, long sum);

    [MapWithState(Input = nameof(Readings), Timeout = "2s")]
    public static (int Key, long Sum)? Session(int key, long? value, State<long> state)
    {
        if (state.IsTimingOut)
        {
            return (key, state.Value);
        }

        state.Update(state.GetValueOrDefault() + value!.Value);
        return null;
    }

    [Sink]
    public static partial void Ended((int Key, long Sum) session);
}

/// <summary>A composite struct key: a (region, customer) tuple, summed with updateStateByKey.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class PairKeys
{
    [Source]
    public static partial Lines<(int Region, int Customer, long Cents)> Orders();

    [Map]
    public static ((int, int), long) ByCustomer((int Region, int Customer, long Cents) order) => ((order.Region, order.Customer), order.Cents);

    [UpdateStateByKey]
    public static long? Total(ReadOnlySpan<long> cents, long? total)
    {
        long sum = total ?? 0;
        foreach (long value in cents)
        {
            sum += value;
        }

        return sum;
    }

    [Sink]
    public static partial void Output((int, int) customer, long total);
}

/// <summary>
/// MapWithStateSuite "state timing out": <c>if (value.isDefined) state.update(1); if (state.isTimingOut) Some(key) else None</c>,
/// with <c>timeout(Seconds(3))</c> at a batch interval of 1 s. The key is a word of one letter; the output is that letter.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SparkTimingOut
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [MapWithState(Timeout = "3s")]
    public static char? Expire(ReadOnlySpan<byte> word, int? value, State<int> state)
    {
        if (value is not null)
        {
            state.Update(1);
        }

        return state.IsTimingOut ? (char)word[0] : null;
    }

    [Sink]
    public static partial void TimedOut(char key);
}

/// <summary>
/// updateStateByKey with values of a reference type: "key,word" lines; the state counts a key's words and the
/// log shows them as the function received them.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordsByKey
{
    [Source]
    public static partial Lines<(int Key, string Word)> Words();

    [UpdateStateByKey]
    public static long? Count(ReadOnlySpan<string> words, long? count)
    {
        CallLog.Add($"[{string.Join(",", words.ToArray())}] {(count is { } c ? c.ToString(CultureInfo.InvariantCulture) : "none")}");
        return (count ?? 0) + words.Length;
    }

    [Sink]
    public static partial void Counts(int key, long count);
}

/// <summary>
/// Stages after the stateful ones: the outputs of [MapWithState] (a record per call, and the last calls of keys
/// that time out) summed per bucket by a [ReduceByKey] and counted over a window; the states of
/// [UpdateStateByKey] counted by value (how many keys have each count).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class AfterState
{
    [Source]
    public static partial Lines<(int Key, long Value)> Readings();

    // Per record (bucket = key % 2, 100); for a key that times out after 2 idle seconds, (bucket, 1).
    [MapWithState(Timeout = "2s")]
    public static (int Bucket, long Weight)? Sessions(int key, long? value, State<long> state)
    {
        if (state.IsTimingOut)
        {
            return (key % 2, 1);
        }

        state.Update(1);
        return (key % 2, 100);
    }

    [ReduceByKey]
    public static long Sum(long a, long b) => a + b;

    [Sink]
    public static partial void PerBucket(int bucket, long total);

    [CountByWindow(Input = nameof(Sessions), Length = "2s")]
    public static partial long Recent((int Bucket, long Weight) output);

    [Sink]
    public static partial void RecentOutputs(long outputs);

    [UpdateStateByKey(Input = nameof(Readings))]
    public static long? Count(ReadOnlySpan<long> values, long? count) => (count ?? 0) + values.Length;

    [CountByValue]
    public static long ByCount(int key, long count) => count;

    [Sink]
    public static partial void KeysPerCount(long count, long keys);
}
