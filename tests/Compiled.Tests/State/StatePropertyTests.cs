namespace Compiled.Tests.State;

/// <summary>
/// Random batches (fixed seeds) through the stateful stages, compared batch by batch with the reference models in
/// <see cref="UpdateStateModel{TKey, TValue, TState}"/> and <see cref="MapWithStateModel{TKey, TValue, TState, TOut}"/>.
/// Keys come from small pools, so they collide, go idle, are removed and come back; some batches are empty and
/// some are large.
/// </summary>
public class StatePropertyTests
{
    private const int Batches = 80;

    // Byte keys that differ little (a prefix of another, empty, a ':' inside, multi-byte UTF-8) or are long.
    internal static readonly string[] ByteKeys = ["", "a", "ab", "b", "a:b", "é", "ключ", "\t", new string('x', 40), new string('y', 700)];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void UpdateStateByKey_StructKeys_MatchesTheModel(int seed)
    {
        var random = new Random(seed);
        List<(int Key, long Value)[]> input = RandomBatches(random, () => random.Next(10), () => RandomTallyValue(random));
        using var test = new Tallies.TestDriver();
        test.Readings.Batches(input);
        CallLog.Take();
        var model = UpdateStateByKeyTests.TalliesModel();
        var stats = new Stats();
        for (int k = 0; k < input.Count; k++)
        {
            test.Run(1);
            List<string> calls = CallLog.Take();
            List<(int Key, Tally State)> expected = model.Step(input[k]);
            stats.Observe(model.Calls.Count, expected.Count);
            Assert.True(
                expected.Select(UpdateStateByKeyTests.Keyed).SequenceEqual(test.Output.Batches[k].Records),
                $"seed {seed}, batch {k + 1}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", test.Output.Batches[k].Records)}]");
            Assert.Equal(model.Calls.Select(c => Tallies.Call(c.Key.ToString(), c.Values, c.State)), calls);
            Assert.Equal((k + 1) * 1000L, test.Output.Batches[k].Time);
        }

        stats.AssertExercised(seed);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void UpdateStateByKey_ByteSpanKeys_MatchesTheModel(int seed)
    {
        var random = new Random(seed);
        List<(string Key, long Value)[]> input = RandomBatches(random, () => ByteKeys[random.Next(ByteKeys.Length)], () => RandomTallyValue(random));
        using var test = new ByteTallies.TestDriver();
        test.Input.Batches(input.Select(b => b.Select(r => $"{r.Key}:{r.Value}")));
        CallLog.Take();
        var model = UpdateStateByKeyTests.TalliesModel<string>(StringComparer.Ordinal);
        var stats = new Stats();
        for (int k = 0; k < input.Count; k++)
        {
            test.Run(1);
            List<string> calls = CallLog.Take();
            List<(string Key, Tally State)> expected = model.Step(input[k]);
            stats.Observe(model.Calls.Count, expected.Count);
            Assert.True(
                expected.SequenceEqual(test.Output.Batches[k].Records),
                $"seed {seed}, batch {k + 1}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", test.Output.Batches[k].Records)}]");
            Assert.Equal(model.Calls.Select(c => Tallies.Call("", c.Values, c.State)), calls);
        }

        stats.AssertExercised(seed);
    }

    [Theory]
    [InlineData(21, 1000)]
    [InlineData(22, 1000)]
    [InlineData(23, 1000)]
    [InlineData(24, 500)]
    [InlineData(25, 500)]
    [InlineData(26, 3000)]
    public void MapWithState_StructKeys_WithAndWithoutTimeout_MatchesTheModel(int seed, int intervalMs)
    {
        var random = new Random(seed);
        // Each key has its own activity, from busy to rare, so some keys never idle long enough and others often do.
        double[] activity = [0.9, 0.6, 0.4, 0.25, 0.15, 0.1, 0.05, 0.02];
        var input = new List<(int Key, long Value)[]>();
        for (int k = 0; k < Batches; k++)
        {
            var batch = new List<(int, long)>();
            for (int key = 0; key < activity.Length; key++)
            {
                int records = random.NextDouble() < activity[key] ? random.Next(1, 4) : 0;
                for (int r = 0; r < records; r++)
                {
                    batch.Add((key, RandomCommand(random)));
                }
            }

            input.Add([.. batch.OrderBy(_ => random.Next())]);
        }

        using var test = new Timeouts.TestDriver(TimeSpan.FromMilliseconds(intervalMs));
        test.Commands.Batches(input);
        test.Run();

        var withTimeout = new MapWithStateModel<int, long, long, Event>(Rule, timeoutBatches: 3000 / intervalMs);
        var forever = new MapWithStateModel<int, long, long, Event>(Rule, timeoutBatches: null);
        int timeouts = 0, removes = 0;
        for (int k = 0; k < input.Count; k++)
        {
            var expected = withTimeout.Step(input[k]);
            timeouts += expected.TimedOut.Count;
            removes += expected.Records.Count(e => e.Value == -1 && e.Before is not null);
            MapWithStateAssert.BatchEqual(expected, test.Events.Batches[k].Records, e => e.Key, $"seed {seed}, batch {k + 1}, with timeout");
            var expectedForever = forever.Step(input[k]);
            Assert.Empty(expectedForever.TimedOut);
            MapWithStateAssert.BatchEqual(expectedForever, test.ForeverEvents.Batches[k].Records, e => e.Key, $"seed {seed}, batch {k + 1}, without timeout");
        }

        Assert.True(timeouts >= 5 && removes >= 5, $"seed {seed} exercised too little: {timeouts} timeouts, {removes} removes");
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(34)]
    public void MapWithState_ByteSpanKeys_WithTimeout_MatchesTheModel(int seed)
    {
        var random = new Random(seed);
        List<(string Key, long Value)[]> input = RandomBatches(random, () => ByteKeys[random.Next(ByteKeys.Length)], () => random.Next(5) == 0 ? 0 : random.Next(1, 100));
        using var test = new ByteSessions.TestDriver();
        test.Input.Batches(input.Select(b => b.Select(r => $"{r.Key}:{r.Value}")));
        test.Run();

        // The timeout is 2 s at 1 s batches.
        var model = new MapWithStateModel<string, long, long, (string Key, long Value)>(
            (key, value, state) =>
            {
                if (state.IsTimingOut)
                {
                    return (key, -state.Value);
                }

                if (value == 0)
                {
                    state.Remove();
                    return (key, 0);
                }

                state.Update(state.GetValueOrDefault() + value!.Value);
                return (key, state.Value);
            },
            timeoutBatches: 2,
            StringComparer.Ordinal);
        int timeouts = 0;
        for (int k = 0; k < input.Count; k++)
        {
            var expected = model.Step(input[k]);
            timeouts += expected.TimedOut.Count;
            MapWithStateAssert.BatchEqual(expected, test.Output.Batches[k].Records, r => r.Key, $"seed {seed}, batch {k + 1}");
        }

        Assert.True(timeouts >= 5, $"seed {seed} exercised too little: {timeouts} timeouts");
    }

    /// <summary>The rule of <see cref="Timeouts"/>' functions, written again from its description.</summary>
    internal static Event? Rule(int key, long? value, ModelState<long> state)
    {
        long? before = state.Exists ? state.Value : null;
        if (value > 0)
        {
            state.Update(state.GetValueOrDefault() + value.Value);
        }
        else if (value == -1)
        {
            state.Remove();
        }
        else if (value == -2)
        {
            return null;
        }

        return new Event(key, value, before, state.Exists ? state.Value : null, state.IsTimingOut);
    }

    // Mostly additions, some reads, removes and silent reads.
    internal static long RandomCommand(Random random) => random.Next(20) switch
    {
        < 10 => random.Next(1, 10),
        < 13 => 0,
        < 16 => -1,
        _ => -2,
    };

    // A value for a Tally: 0 (which removes the key) one time in 20, otherwise from -99 to 99 without 0.
    internal static long RandomTallyValue(Random random) => random.Next(20) == 0 ? 0 : random.Next(1, 100) * (random.Next(4) == 0 ? -1 : 1);

    // Batches of random records: a fifth empty, a few large (hundreds of records), the rest of up to 15 records;
    // runs of empty batches let keys go idle.
    internal static List<(TKey Key, long Value)[]> RandomBatches<TKey>(Random random, Func<TKey> key, Func<long> value)
    {
        var batches = new List<(TKey, long)[]>();
        while (batches.Count < Batches)
        {
            int roll = random.Next(20);
            if (roll < 3)
            {
                for (int i = random.Next(1, 5); i > 0 && batches.Count < Batches; i--)
                {
                    batches.Add([]);
                }

                continue;
            }

            int size = roll == 19 ? random.Next(200, 600) : random.Next(1, 16);
            batches.Add([.. Enumerable.Range(0, size).Select(_ => (key(), value()))]);
        }

        return batches;
    }

    // That a random run did what it is there to test: calls without values, removals, keys coming back.
    private sealed class Stats
    {
        private int _callsWithoutOutput;
        private int _batchesWithOutput;

        public void Observe(int calls, int outputs)
        {
            _callsWithoutOutput += calls - outputs;
            _batchesWithOutput += outputs > 0 ? 1 : 0;
        }

        public void AssertExercised(int seed) =>
            Assert.True(_callsWithoutOutput >= 5 && _batchesWithOutput >= 20, $"seed {seed} exercised too little: {_callsWithoutOutput} removals, {_batchesWithOutput} batches with output");
    }
}
