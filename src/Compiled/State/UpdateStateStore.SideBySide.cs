using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Compiled.Keys;

namespace Compiled;

/// <summary>
/// The job's store on N partitions works out a batch's updates side by side: the partitions' threads are parked while
/// the job ends the batch, so the update function is called for the store's keys on up to N threads at once, each on a
/// run of keys of its own, and <see cref="NextState"/> then hands the keys out one by one, in the order one thread
/// gives them, as it would have called the function for each. The function is called from several threads at once, as
/// a per-record stage's method is on partitions: it must be safe for that, as a pure function of its arguments is.
/// </summary>
public sealed partial class UpdateStateStore<TKey, TValue, TState, TKeys, TFunction>
{
    /// <summary>The keys one thread updates at a time; a store with fewer than two runs of them updates on one thread.</summary>
    internal const int KeysPerChunk = 4096;

    private int _workers = 1;                    // the threads that update this store: one, and one per store merged in
    private object? _mergedInto;                 // the store this one merged into last
    private TState?[] _next = [];                // [key index]: its update, worked out side by side, for _precomputed keys
    private int _precomputed;                    // how many keys of the batch have their update in _next (0: none)
    private TValue[][] _scratch = [];            // [run]: the run's own array for a key's values
    private readonly Lock _failureGate = new();  // taken only when an update throws
    private int _failedAt = int.MaxValue;        // the first key whose update threw, and what it threw
    private ExceptionDispatchInfo? _failure;
    private long _sideBySideTime;
    private ParallelOptions? _parallel;
    private Action<int>? _updateRun;

    /// <summary>
    /// The number of threads that work out a batch's updates: 1, and one more for each other store whose values were
    /// merged into this one (<see cref="MergeBatchInto"/>), that is the run's number of partitions for the job's store.
    /// </summary>
    public int UpdateThreads => _workers;

    /// <summary>How many batches had their updates worked out side by side (for tests).</summary>
    internal int BatchesSideBySide { get; private set; }

    // The update of key `index` (`key`): worked out side by side before, or now. What the function threw for it, side by
    // side, is thrown when the key is reached, after the keys before it were handed out, as one thread would.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TState? Updated(long batchTime, int index, TKey key)
    {
        if (index < _precomputed)
        {
            if (index == _failedAt)
            {
                _failure!.Throw();
            }

            return _next[index];
        }

        ref UpdateEntry<TState> entry = ref _keys.ValueAt(index);
        return TFunction.Update(batchTime, key, _values.Get(entry.Values), entry.HasState ? entry.State : null);
    }

    // Calls the update function for every key of the batch, in runs of KeysPerChunk keys on up to _workers threads.
    private void UpdateSideBySide(long batchTime)
    {
        int count = _keys.Count;
        if (_next.Length < count)
        {
            _next = new TState?[Math.Max(count, _next.Length * 2)];
        }

        int runs = (count + KeysPerChunk - 1) / KeysPerChunk;
        if (_scratch.Length < runs)
        {
            TValue[][] scratch = new TValue[runs][];
            _scratch.CopyTo(scratch, 0);
            for (int i = _scratch.Length; i < runs; i++)
            {
                scratch[i] = new TValue[16];
            }

            _scratch = scratch;
        }

        _sideBySideTime = batchTime;
        _failedAt = int.MaxValue;
        _failure = null;
        _parallel ??= new ParallelOptions { MaxDegreeOfParallelism = _workers };
        Parallel.For(0, runs, _parallel, _updateRun ??= UpdateRun);
        _precomputed = count;
        BatchesSideBySide++;
    }

    // One run of keys: each key's update into _next; the first key whose function throws is noted with what it threw.
    private void UpdateRun(int run)
    {
        int start = run * KeysPerChunk;
        int end = Math.Min(start + KeysPerChunk, _keys.Count);
        ref TValue[] scratch = ref _scratch[run];
        for (int index = start; index < end; index++)
        {
            ref UpdateEntry<TState> entry = ref _keys.ValueAt(index);
            try
            {
                _next[index] = TFunction.Update(_sideBySideTime, _keys.KeyAt(index), _values.Get(entry.Values, ref scratch), entry.HasState ? entry.State : null);
            }
            catch (Exception exception)
            {
                lock (_failureGate)
                {
                    if (index < _failedAt)
                    {
                        _failedAt = index;
                        _failure = ExceptionDispatchInfo.Capture(exception);
                    }
                }

                return;
            }
        }
    }

    // The batch has ended: the updates worked out side by side are spent (a state that holds references let go).
    private void ForgetSideBySide()
    {
        if (_precomputed == 0)
        {
            return;
        }

        if (RuntimeHelpers.IsReferenceOrContainsReferences<TState>())
        {
            Array.Clear(_next, 0, _precomputed);
        }

        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            foreach (TValue[] scratch in _scratch)
            {
                Array.Clear(scratch);
            }
        }

        _precomputed = 0;
        _failedAt = int.MaxValue;
        _failure = null;
    }
}
