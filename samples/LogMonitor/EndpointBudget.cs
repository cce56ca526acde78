using System.Numerics;
using Compiled.Keys;

namespace Samples.LogMonitor;

/// <summary>
/// The endpoints the monitor keeps a row for: at most <see cref="Capacity"/> at a time. An endpoint takes a place with
/// its first request while there is one free (<see cref="TryTrack"/>), keeps it while the window holds a request of
/// it, and gives it back when it leaves the window (<see cref="Release"/>, which the window's filter calls); the
/// requests of an endpoint that finds no place are counted under <see cref="LogMonitor.OtherKey"/>. So the window,
/// each of its batches and the table it prints hold at most <see cref="Capacity"/> endpoints, plus the
/// <c>(other)</c> and <c>(malformed)</c> rows, whatever the log holds.
/// </summary>
/// <remarks>
/// An open-addressing set of byte keys with linear probing, its arrays sized for the capacity when it is made; a
/// place's key bytes are kept in a buffer of that place, reused by the endpoints that take it later, so once the
/// buffers are as long as the endpoints that come, tracking and releasing allocate nothing. Not safe to call from
/// several threads at once, and needs not be: a run calls it from its one loop, which reads the source and completes
/// the batches in turn (<see cref="LogMonitor.Kept"/> while a batch is read, <see cref="LogMonitor.Active"/> when it
/// completes).
/// </remarks>
public sealed class EndpointBudget
{
    /// <summary>The largest capacity accepted.</summary>
    public const int MaxCapacity = 1_000_000;

    private int _capacity;
    private int _count;
    private int _mask;

    // _buckets[i] is 1 + the place of the endpoint in bucket i, or 0 for an empty bucket.
    private int[] _buckets = [];
    private uint[] _hashes = [];
    private int[] _lengths = [];
    private byte[]?[] _keys = [];

    // The places not taken, as a stack.
    private int[] _free = [];
    private int _freeCount;

    /// <summary>Creates a budget of <paramref name="capacity"/> endpoints.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1 or more than <see cref="MaxCapacity"/>.</exception>
    public EndpointBudget(int capacity) => Reset(capacity);

    /// <summary>How many endpoints may be tracked at a time.</summary>
    public int Capacity => _capacity;

    /// <summary>How many endpoints are tracked now.</summary>
    public int Count => _count;

    /// <summary>
    /// Forgets every endpoint and sets the capacity: for a process that starts the monitor again (a test, or a host
    /// that runs it more than once), since the budget belongs to the process, not to a run.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1 or more than <see cref="MaxCapacity"/>.</exception>
    public void Reset(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        // At most half the buckets are taken, so a probe ends soon at an empty one.
        int buckets = (int)BitOperations.RoundUpToPowerOf2((uint)capacity * 2);
        _buckets = new int[buckets];
        _mask = buckets - 1;
        _hashes = new uint[capacity];
        _lengths = new int[capacity];
        _keys = new byte[]?[capacity];
        _free = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _free[i] = capacity - 1 - i;
        }

        _freeCount = capacity;
        _capacity = capacity;
        _count = 0;
    }

    /// <summary>
    /// Whether <paramref name="endpoint"/> has a place: it had one already, or it takes a free one now;
    /// <see langword="false"/> when every place is taken by other endpoints.
    /// </summary>
    public bool TryTrack(ReadOnlySpan<byte> endpoint)
    {
        uint hash = KeyHash.Of(endpoint);
        int bucket = Find(endpoint, hash);
        if (_buckets[bucket] != 0)
        {
            return true;
        }

        if (_freeCount == 0)
        {
            return false;
        }

        int place = _free[--_freeCount];
        byte[]? key = _keys[place];
        if (key is null || key.Length < endpoint.Length)
        {
            _keys[place] = key = new byte[Math.Max(32, (int)BitOperations.RoundUpToPowerOf2((uint)endpoint.Length))];
        }

        endpoint.CopyTo(key);
        _lengths[place] = endpoint.Length;
        _hashes[place] = hash;
        _buckets[bucket] = place + 1;
        _count++;
        return true;
    }

    /// <summary>Whether <paramref name="endpoint"/> has a place.</summary>
    public bool Contains(ReadOnlySpan<byte> endpoint) => _buckets[Find(endpoint, KeyHash.Of(endpoint))] != 0;

    /// <summary>Gives back <paramref name="endpoint"/>'s place, if it has one; returns whether it had.</summary>
    public bool Release(ReadOnlySpan<byte> endpoint)
    {
        int bucket = Find(endpoint, KeyHash.Of(endpoint));
        int place = _buckets[bucket] - 1;
        if (place < 0)
        {
            return false;
        }

        _free[_freeCount++] = place;
        _count--;

        // Backward-shift deletion: the entries after the emptied bucket that probed past it move back, so that
        // every entry stays reachable from its home bucket without gaps, and no tombstone is ever needed.
        int empty = bucket;
        for (int next = (bucket + 1) & _mask; _buckets[next] != 0; next = (next + 1) & _mask)
        {
            int home = (int)_hashes[_buckets[next] - 1] & _mask;
            if (((next - home) & _mask) >= ((next - empty) & _mask))
            {
                _buckets[empty] = _buckets[next];
                empty = next;
            }
        }

        _buckets[empty] = 0;
        return true;
    }

    // The bucket that holds the endpoint, or the empty bucket where it would go.
    private int Find(ReadOnlySpan<byte> endpoint, uint hash)
    {
        for (int bucket = (int)hash & _mask; ; bucket = (bucket + 1) & _mask)
        {
            int place = _buckets[bucket] - 1;
            if (place < 0 || (_hashes[place] == hash && endpoint.SequenceEqual(_keys[place].AsSpan(0, _lengths[place]))))
            {
                return bucket;
            }
        }
    }
}
