using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled;

/// <summary>An <see cref="UpdateStateStore{TKey, TValue, TState, TKeys, TFunction}"/>'s entries in a checkpoint: the keys that have a state, each with it.</summary>
/// <typeparam name="TState">The state.</typeparam>
internal readonly struct UpdateEntries<TState> : IEntryCodec<UpdateEntry<TState>>
    where TState : struct
{
    public static bool Includes(ref UpdateEntry<TState> value) => value.HasState;

    public static void Write(ref UpdateEntry<TState> value, ref CheckpointWriter.Section section) =>
        CheckpointValues<TState>.Write(in value.State, ref section);

    public static UpdateEntry<TState> Read(ref CheckpointReader.Section section) =>
        new() { State = CheckpointValues<TState>.Read(ref section), HasState = true };
}

/// <summary>
/// A <see cref="MapWithStateStore{TKey, TValue, TState, TOutput, TKeys, TFunction}"/>'s entries in a checkpoint: the keys
/// that have a state, each with the batch it was last updated in (a varint 1 and the number, or 0 for an initial state
/// not yet stamped) and the state.
/// </summary>
/// <typeparam name="TState">The state.</typeparam>
internal readonly struct StateEntries<TState> : IEntryCodec<StateEntry<TState>>
    where TState : struct
{
    public static bool Includes(ref StateEntry<TState> value) => value.Exists;

    public static void Write(ref StateEntry<TState> value, ref CheckpointWriter.Section section)
    {
        if (value.UpdatedThisBatch)
        {
            section.WriteCount(0);
        }
        else
        {
            section.WriteCount(1);
            section.WriteUnmanaged(value.UpdatedBatch);
        }

        CheckpointValues<TState>.Write(in value.Value, ref section);
    }

    public static StateEntry<TState> Read(ref CheckpointReader.Section section)
    {
        var entry = new StateEntry<TState> { Exists = true };
        switch (section.ReadCount())
        {
            case 0:
                entry.UpdatedThisBatch = true;
                break;
            case 1:
                entry.UpdatedBatch = section.ReadUnmanaged<long>();
                break;
            default:
                throw section.Malformed("has a state entry whose stamp flag is neither 0 nor 1");
        }

        entry.Value = CheckpointValues<TState>.Read(ref section);
        return entry;
    }
}
