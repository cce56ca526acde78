using System.Runtime.CompilerServices;
using Compiled.Checkpoints;
using Compiled.Keys;
using Compiled.State.Partitions;

namespace Compiled;

/// <summary>
/// The state of a <see cref="MapWithStateAttribute"/> stage (Spark's <c>mapWithState</c>): a state per key, the
/// function called once per record with its key's state, and at the end of each batch once more for each key idle
/// longer than the timeout, which then leaves.
/// </summary>
/// <remarks>
/// <para>
/// Per record, <see cref="Map"/> is one table lookup and a direct call of <typeparamref name="TFunction"/>. A key that
/// keeps a state after a record's call counts as updated in that batch (Spark's rule with a timeout: updated or not).
/// At the batch's end, <see cref="NextTimeout"/> stamps those keys with the batch's number and times out every key
/// whose last update is more than the timeout (in batches) before the batch: Spark's "updated before the batch time
/// minus the timeout". Batch numbers are whatever the caller gives, e.g. the batch's time ÷ the interval, so the
/// stamps stay meaningful across runs; nothing assumes a first batch of 1.
/// </para>
/// <para>
/// Between batches, <c>foreach</c> lists every key with its state and stamp, and <see cref="Put(TKey, TState, long)"/>
/// puts one back: together they capture and restore the whole state. <see cref="Put(TKey, TState)"/> gives a key an
/// initial state (Spark's <c>StateSpec.initialState</c>), which counts as updated in the first batch.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TValue">The value of a record.</typeparam>
/// <typeparam name="TState">The state kept per key.</typeparam>
/// <typeparam name="TOutput">What a call emits.</typeparam>
/// <typeparam name="TKeys">The key table (<see cref="StructKeys{TKey, TValue}"/> or <see cref="ByteKeys{TValue}"/>).</typeparam>
/// <typeparam name="TFunction">The stage's function.</typeparam>
public sealed class MapWithStateStore<TKey, TValue, TState, TOutput, TKeys, TFunction>
    where TKey : allows ref struct
    where TValue : struct
    where TState : struct
    where TOutput : allows ref struct
    where TKeys : struct, IKeyTable<TKeys, TKey, StateEntry<TState>>
    where TFunction : struct, IMapWithStateFunction<TKey, TValue, TState, TOutput>
{
    private readonly long _timeout;   // in batches; -1 for none
    private TKeys _keys = TKeys.Create();
    private TKeys _kept = TKeys.Create();
    private int _swept;               // how far the end of the batch has come through _keys
    private int[]? _checkpointScratch;
    private TKeys? _shardsScratch;    // every shard's keys, for a checkpoint of a stage kept in shards

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeoutBatches">
    /// How many batches a key may go without a record before it times out (a key updated in batch u times out at the
    /// end of batch b when b − u exceeds it), or null for keys that never time out.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeoutBatches"/> is negative.</exception>
    public MapWithStateStore(long? timeoutBatches = null)
    {
        if (timeoutBatches < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timeoutBatches), timeoutBatches, "A timeout is a number of batches, 0 or more; give null for keys that never time out.");
        }

        _timeout = timeoutBatches ?? -1;
    }

    /// <summary>How many keys the store holds; between batches, every one has a state.</summary>
    public int Count => _keys.Count;

    /// <summary>How many batches a key may go without a record before it times out, or null for keys that never time out.</summary>
    public long? TimeoutBatches => _timeout < 0 ? null : _timeout;

    /// <summary>Calls the function for one record, with its key's state, and returns what it emits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TOutput Map(TKey key, TValue value)
    {
        ref StateEntry<TState> entry = ref _keys.GetOrAdd(key);
        TOutput output = TFunction.Map(key, value, new State<TState>(ref entry, isTimingOut: false));
        entry.UpdatedThisBatch |= entry.Exists;
        return output;
    }

    /// <summary>
    /// Ends batch <paramref name="batchNumber"/>, one key that times out at a time: calls the function for the next key
    /// idle longer than the timeout (no value, <see cref="State{TState}.IsTimingOut"/>) and returns true with what it
    /// emits (valid until the next call). Returns false once the batch has ended: keys without a state and keys that
    /// timed out have left, and the keys updated in the batch are stamped with its number. Call it until it returns
    /// false, once per batch, with numbers that increase.
    /// If the function throws, the store is left part-way through the batch and must not be used again (a run that
    /// fails ends).
    /// </summary>
    public bool NextTimeout(long batchNumber, out TOutput output)
    {
        while (_swept < _keys.Count)
        {
            int index = _swept++;
            ref StateEntry<TState> entry = ref _keys.ValueAt(index);
            if (!entry.Exists)
            {
                continue;
            }

            if (entry.UpdatedThisBatch)
            {
                entry.UpdatedThisBatch = false;
                entry.UpdatedBatch = batchNumber;
            }
            else if (_timeout >= 0 && batchNumber - entry.UpdatedBatch > _timeout)
            {
                // The key's last call; whatever it does, the key is not copied on, so it leaves.
                output = TFunction.Map(_keys.KeyAt(index), null, new State<TState>(ref entry, isTimingOut: true));
                return true;
            }

            _kept.GetOrAdd(_keys.KeyAt(index)) = entry;
        }

        (_keys, _kept) = (_kept, _keys);
        _kept.Clear();
        _swept = 0;
        output = default!;
        return false;
    }

    /// <summary>
    /// Ends batch <paramref name="batchNumber"/> of a store without a timeout: keys without a state leave, and the keys
    /// updated in the batch are stamped with its number.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store has a timeout.</exception>
    public void EndBatch(long batchNumber)
    {
        if (_timeout >= 0)
        {
            throw new InvalidOperationException("This store has a timeout, so the end of a batch calls the function once more for each key that times out: end the batch with NextTimeout and use what those calls return.");
        }

        while (NextTimeout(batchNumber, out _))
        {
        }
    }

    /// <summary>
    /// Gives <paramref name="key"/> the state <paramref name="state"/> as if a record of the batch being filled had
    /// set it (Spark's initial state, stamped with the first batch); between batches only.
    /// </summary>
    public void Put(TKey key, TState state) =>
        _keys.GetOrAdd(key) = new StateEntry<TState> { Value = state, Exists = true, UpdatedThisBatch = true };

    /// <summary>
    /// Puts back <paramref name="key"/> with the state <paramref name="state"/>, last updated in batch
    /// <paramref name="updatedBatch"/>, as <c>foreach</c> listed it; between batches only.
    /// </summary>
    public void Put(TKey key, TState state, long updatedBatch) =>
        _keys.GetOrAdd(key) = new StateEntry<TState> { Value = state, Exists = true, UpdatedBatch = updatedBatch };

    /// <summary>
    /// Writes the whole state into a checkpoint section, between batches: every key that has a state, with the batch it
    /// was last updated in (its timeout counts from there) and the state, as one set of keyed entries
    /// (<see cref="KeyedSections"/>; the state through <see cref="CheckpointValues{T}"/>). Allocates nothing once the
    /// store has written a checkpoint of its size.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store is part-way through the end of a batch.</exception>
    /// <exception cref="NotSupportedException">A checkpoint cannot write <typeparamref name="TState"/> or the key type.</exception>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        if (_swept != 0)
        {
            throw new InvalidOperationException("The store is part-way through the end of a batch: write a checkpoint between batches, after NextTimeout returned false.");
        }

        KeyedSections.Write<TKeys, TKey, StateEntry<TState>, StateEntries<TState>>(_keys, ref section, ref _checkpointScratch);
    }

    /// <summary>
    /// Writes the whole state of a stage kept in shards (this store, shard 0, and the others, one per partition) into a
    /// checkpoint section as <see cref="WriteCheckpoint(ref CheckpointWriter.Section)"/> writes one store: shard 0's keys,
    /// then shard 1's, and so on, each shard's in its order. A store of another number of shards, or one store, restores
    /// it (<see cref="ReadCheckpoint"/>, then <see cref="SpreadTo"/>). Allocates nothing once it has written a
    /// checkpoint of its size.
    /// </summary>
    /// <exception cref="InvalidOperationException">A store is part-way through the end of a batch.</exception>
    public void WriteCheckpoint(IReadOnlyList<MapWithStateStore<TKey, TValue, TState, TOutput, TKeys, TFunction>> shards, ref CheckpointWriter.Section section)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count == 1)
        {
            WriteCheckpoint(ref section);
            return;
        }

        _shardsScratch ??= TKeys.Create();
        _shardsScratch.Value.Clear();
        TKeys all = _shardsScratch.Value;
        for (int shard = 0; shard < shards.Count; shard++)
        {
            TKeys keys = shards[shard]._keys;
            if (shards[shard]._swept != 0)
            {
                throw new InvalidOperationException("A shard's store is part-way through the end of a batch: write a checkpoint between batches, after NextTimeout returned false.");
            }

            for (int index = 0; index < keys.Count; index++)
            {
                all.GetOrAdd(keys.KeyAt(index)) = keys.ValueAt(index);
            }
        }

        KeyedSections.Write<TKeys, TKey, StateEntry<TState>, StateEntries<TState>>(all, ref section, ref _checkpointScratch);
        all.Clear();
    }

    /// <summary>
    /// Between batches, moves every key whose shard among <paramref name="shards"/> (this store being shard 0) is not
    /// this store's into the store of its shard, with its state and stamp, keeping each store's keys in their order: the
    /// state restored from a checkpoint or given as initial state, spread over the shards of a run on N partitions.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store is part-way through the end of a batch.</exception>
    /// <typeparam name="TShard">The rule that gives a key's shard, the one the records were kept by.</typeparam>
    public void SpreadTo<TShard>(IReadOnlyList<MapWithStateStore<TKey, TValue, TState, TOutput, TKeys, TFunction>> shards)
        where TShard : struct, IShardOf<TKey>
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (_swept != 0)
        {
            throw new InvalidOperationException("The store is part-way through the end of a batch: spread its keys between batches, after NextTimeout returned false.");
        }

        if (shards.Count == 1 || _keys.Count == 0)
        {
            return;
        }

        for (int index = 0; index < _keys.Count; index++)
        {
            TKey key = _keys.KeyAt(index);
            int shard = TShard.Of(key, shards.Count);
            (shard == 0 ? ref _kept.GetOrAdd(key) : ref shards[shard]._keys.GetOrAdd(key)) = _keys.ValueAt(index);
        }

        (_keys, _kept) = (_kept, _keys);
        _kept.Clear();
    }

    /// <summary>
    /// Restores the state that <see cref="WriteCheckpoint(ref CheckpointWriter.Section)"/> wrote into this new, empty store (created with the same
    /// timeout), keys in their order; the store then calls the function and times keys out as the one written would.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store is not empty.</exception>
    /// <exception cref="CheckpointCorruptException">The section is malformed; the store is left empty.</exception>
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        if (_keys.Count != 0 || _swept != 0)
        {
            throw new InvalidOperationException($"A checkpoint is restored only into a new, empty store; this one holds {_keys.Count} keys. Restore before the first batch.");
        }

        _keys = KeyedSections.Read<TKeys, TKey, StateEntry<TState>, StateEntries<TState>>(ref section);
    }

    /// <summary>Lists every key that has a state, with it and its stamp, in the order the keys came.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Walks a store's keys that have a state.</summary>
    public ref struct Enumerator
    {
        private readonly MapWithStateStore<TKey, TValue, TState, TOutput, TKeys, TFunction> _store;
        private int _index;

        internal Enumerator(MapWithStateStore<TKey, TValue, TState, TOutput, TKeys, TFunction> store)
        {
            _store = store;
            _index = -1;
        }

        /// <summary>The current key, its state and the batch in which it was last updated.</summary>
        public readonly KeyedState<TKey, TState> Current
        {
            get
            {
                ref StateEntry<TState> entry = ref _store._keys.ValueAt(_index);
                return new KeyedState<TKey, TState>(_store._keys.KeyAt(_index), entry.Value, entry.UpdatedThisBatch ? null : entry.UpdatedBatch);
            }
        }

        /// <summary>Moves to the next key that has a state.</summary>
        public bool MoveNext()
        {
            while (++_index < _store._keys.Count)
            {
                if (_store._keys.ValueAt(_index).Exists)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
