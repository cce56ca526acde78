using Compiled.Keys;

namespace Compiled.Tests.State;

/// <summary>
/// <see cref="State{TState}"/> is as strict as Spark's <c>StateImpl</c>: after <c>Remove</c> in a call, neither
/// <c>Update</c> nor <c>Remove</c> again (each throws, saying what to do); <c>IsUpdated</c> and <c>IsRemoved</c> say
/// what the call did; the next call starts afresh.
/// </summary>
public class StateStrictnessTests
{
    [Fact]
    public void UpdateAfterRemove_InTheSameCall_Throws_AndSaysWhatToDo()
    {
        var entry = new StateEntry<int> { Value = 1, Exists = true };
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            var state = new State<int>(ref entry, false);
            state.Remove();
            state.Update(2);
        });
        Assert.Contains("cannot be updated after it has been removed in the same call", error.Message, StringComparison.Ordinal);
        Assert.Contains("State.IsRemoved", error.Message, StringComparison.Ordinal);
        Assert.False(entry.Exists); // the removal stands
    }

    [Fact]
    public void RemoveAfterRemove_InTheSameCall_Throws_AndSaysWhatToDo()
    {
        var entry = new StateEntry<int> { Value = 1, Exists = true };
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            var state = new State<int>(ref entry, false);
            state.Remove();
            state.Remove();
        });
        Assert.Contains("already been removed in this call", error.Message, StringComparison.Ordinal);
        Assert.Contains("State.IsRemoved", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsUpdated_AndIsRemoved_FollowTheCall_AndTheNextCallStartsAfresh()
    {
        var entry = new StateEntry<int>();
        var state = new State<int>(ref entry, false);
        Assert.False(state.IsUpdated);
        Assert.False(state.IsRemoved);

        state.Update(1);
        Assert.True(state.IsUpdated);
        state.Update(2); // Spark allows any number of updates
        Assert.True(state.IsUpdated);
        Assert.False(state.IsRemoved);

        state.Remove(); // an update, then a removal: allowed, and the removal wins
        Assert.False(state.IsUpdated);
        Assert.True(state.IsRemoved);
        Assert.False(state.Exists);

        var next = new State<int>(ref entry, false);
        Assert.False(next.IsUpdated);
        Assert.False(next.IsRemoved);
        next.Update(3); // a new call may set the state of a key removed before
        Assert.Equal(3, next.Value);
        Assert.True(next.IsUpdated);
    }

    [Fact]
    public void RemoveOfAKeyWithoutState_IsAllowed_Once()
    {
        var entry = new StateEntry<int>();
        var state = new State<int>(ref entry, false);
        state.Remove();
        Assert.True(state.IsRemoved);
        Assert.Throws<InvalidOperationException>(() =>
        {
            var again = new State<int>(ref entry, false);
            again.Remove();
            again.Remove();
        });
    }

    [Fact]
    public void AStoreCall_ThatUpdatesAfterRemoving_FailsTheCall_AndLeavesTheKeyRemoved()
    {
        var store = new MapWithStateStore<int, long, long, long, StructKeys<int, StateEntry<long>>, RemoveThenUpdate>();
        store.Put(1, 10);
        Assert.False(store.NextTimeout(1, out _));
        var error = Assert.Throws<InvalidOperationException>(() => store.Map(1, 5));
        Assert.Contains("State.Update or State.Remove once", error.Message, StringComparison.Ordinal);
        Assert.False(store.NextTimeout(2, out _));
        Assert.Equal(0, store.Count);
    }

    private struct RemoveThenUpdate : IMapWithStateFunction<int, long, long, long>
    {
        public static long Map(int key, long? value, State<long> state)
        {
            state.Remove();
            state.Update(value ?? 0);
            return 0;
        }
    }
}
