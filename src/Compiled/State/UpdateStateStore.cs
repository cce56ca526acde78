using System.Runtime.CompilerServices;
using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled;

/// <summary>
/// The state of an <see cref="UpdateStateByKeyAttribute"/> stage (Spark's <c>updateStateByKey</c>): a state per key,
/// and at the end of each batch one call of the update function for every key that has a state or new values.
/// </summary>
/// <remarks>
/// Per record, <see cref="Add"/> is one table lookup and an append to the key's list of values. At the batch's end,
/// <see cref="NextState"/> calls <typeparamref name="TFunction"/> for each key, kept keys first in their order, then
/// the batch's new keys in order of arrival; a null state removes the key. Between batches, <c>foreach</c> lists every
/// key with its state and <see cref="Put"/> puts one in: together they capture and restore the whole state, and
/// <see cref="Put"/> gives a key an initial state (Spark's <c>initialRDD</c>).
/// </remarks>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TValue">The value of a record.</typeparam>
/// <typeparam name="TState">The state kept per key.</typeparam>
/// <typeparam name="TKeys">The key table (<see cref="StructKeys{TKey, TValue}"/> or <see cref="ByteKeys{TValue}"/>).</typeparam>
/// <typeparam name="TFunction">The stage's function.</typeparam>
public sealed partial class UpdateStateStore<TKey, TValue, TState, TKeys, TFunction>
    where TKey : allows ref struct
    where TState : struct
    where TKeys : struct, IKeyTable<TKeys, TKey, UpdateEntry<TState>>
    where TFunction : struct, IUpdateStateFunction<TKey, TValue, TState>
{
    private readonly ValueLists<TValue> _values = new();
    private TKeys _keys = TKeys.Create();
    private TKeys _kept = TKeys.Create();
    private int _updated;             // how far the end of the batch has come through _keys
    private int[]? _checkpointScratch;

    /// <summary>How many keys the store holds; between batches, every one has a state.</summary>
    public int Count => _keys.Count;

    /// <summary>Adds one record's value to its key's values of the batch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(TKey key, TValue value) => _values.Add(ref _keys.GetOrAdd(key).Values, value);

    /// <summary>
    /// Ends the batch of time <paramref name="batchTime"/>, one key at a time: calls the update function for the next
    /// key and, when the key keeps a state, returns true with the key (valid until the next batch) and its new state.
    /// Returns false once every key is done: the store then holds only the keys that kept a state, and the batch's
    /// values are forgotten. Call it until it returns false, once per batch.
    /// If the function throws, the store is left part-way through the batch and must not be used again (a run that
    /// fails ends).
    /// </summary>
    public bool NextState(long batchTime, out TKey key, out TState state)
    {
        if (_updated == 0 && _workers > 1 && _keys.Count >= 2 * KeysPerChunk)
        {
            // On N partitions, with the partitions parked: every key's update worked out side by side first.
            UpdateSideBySide(batchTime);
        }

        while (_updated < _keys.Count)
        {
            int index = _updated++;
            TKey current = _keys.KeyAt(index);
            if (Updated(batchTime, index, current) is { } next)
            {
                ref UpdateEntry<TState> kept = ref _kept.GetOrAdd(current);
                kept = new UpdateEntry<TState> { State = next, HasState = true };

                // The key as the kept table holds it: a byte key stays valid after this table is cleared.
                key = _kept.KeyAt(_kept.Count - 1);
                state = next;
                return true;
            }
        }

        (_keys, _kept) = (_kept, _keys);
        _kept.Clear();
        _values.Clear();
        _updated = 0;
        ForgetSideBySide();
        key = default!;
        state = default;
        return false;
    }

    /// <summary>
    /// Moves this store's values of the batch into <paramref name="into"/> and forgets them: how a partition's store,
    /// which only collects values, joins the job's at a batch boundary. Each key's values go after those
    /// <paramref name="into"/> holds already, in their order; a key new to it goes after its keys, in this store's order.
    /// Partitions that merge in the order of their ranges of the input so give each key its values in the input's order,
    /// as one partition would. Before <see cref="NextState"/>; this store must hold no state (it never ends a batch).
    /// </summary>
    public void MergeBatchInto(UpdateStateStore<TKey, TValue, TState, TKeys, TFunction> into)
    {
        if (!ReferenceEquals(_mergedInto, into))
        {
            // One more partition: the job's store works out a batch's updates on as many threads as the run has partitions.
            _mergedInto = into;
            into._workers++;
        }

        for (int i = 0; i < _keys.Count; i++)
        {
            ref UpdateEntry<TState> entry = ref _keys.ValueAt(i);
            _values.AppendTo(entry.Values, into._values, ref into._keys.GetOrAdd(_keys.KeyAt(i)).Values);
        }

        _keys.Clear();
        _values.Clear();
    }

    /// <summary>Gives <paramref name="key"/> the state <paramref name="state"/>; between batches only.</summary>
    public void Put(TKey key, TState state)
    {
        ref UpdateEntry<TState> entry = ref _keys.GetOrAdd(key);
        entry.State = state;
        entry.HasState = true;
    }

    /// <summary>
    /// Writes the whole state into a checkpoint section, between batches: every key that has a state, with it, as one
    /// set of keyed entries (<see cref="KeyedSections"/>; the state through <see cref="CheckpointValues{T}"/>). Allocates
    /// nothing once the store has written a checkpoint of its size.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store is part-way through the end of a batch.</exception>
    /// <exception cref="NotSupportedException">A checkpoint cannot write <typeparamref name="TState"/> or the key type.</exception>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        if (_updated != 0)
        {
            throw new InvalidOperationException("The store is part-way through the end of a batch: write a checkpoint between batches, after NextState returned false.");
        }

        KeyedSections.Write<TKeys, TKey, UpdateEntry<TState>, UpdateEntries<TState>>(_keys, ref section, ref _checkpointScratch);
    }

    /// <summary>
    /// Restores the state that <see cref="WriteCheckpoint"/> wrote into this new, empty store (created with the same
    /// type arguments), keys in the order the update function visited them; the store then behaves as the one written.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store is not empty.</exception>
    /// <exception cref="CheckpointCorruptException">The section is malformed; the store is left empty.</exception>
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        if (_keys.Count != 0 || _updated != 0)
        {
            throw new InvalidOperationException($"A checkpoint is restored only into a new, empty store; this one holds {_keys.Count} keys. Restore before the first batch.");
        }

        _keys = KeyedSections.Read<TKeys, TKey, UpdateEntry<TState>, UpdateEntries<TState>>(ref section);
    }

    /// <summary>Lists every key that has a state, with it, in the order the update function visits them.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Walks a store's keys that have a state.</summary>
    public ref struct Enumerator
    {
        private readonly UpdateStateStore<TKey, TValue, TState, TKeys, TFunction> _store;
        private int _index;

        internal Enumerator(UpdateStateStore<TKey, TValue, TState, TKeys, TFunction> store)
        {
            _store = store;
            _index = -1;
        }

        /// <summary>The current key and its state.</summary>
        public readonly KeyedState<TKey, TState> Current =>
            new(_store._keys.KeyAt(_index), _store._keys.ValueAt(_index).State);

        /// <summary>Moves to the next key that has a state.</summary>
        public bool MoveNext()
        {
            while (++_index < _store._keys.Count)
            {
                if (_store._keys.ValueAt(_index).HasState)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
