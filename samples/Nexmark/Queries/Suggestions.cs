namespace Samples.Nexmark.Queries;

/// <summary>
/// The suggestions one event of Q3 makes: a local seller's name, city and state with one auction (an auction's
/// opening) or several (the auctions that waited for the seller's registration). A struct enumerable, so the
/// [FlatMap] that lists them allocates nothing.
/// </summary>
public readonly struct Suggestions
{
    private readonly long _one;
    private readonly long[]? _several;

    /// <summary>The seller's suggestion of one auction.</summary>
    public Suggestions(string name, string city, string state, long auction)
    {
        (Name, City, State, _one) = (name, city, state, auction);
    }

    /// <summary>The seller's suggestions of several auctions, in this order.</summary>
    public Suggestions(string name, string city, string state, long[] auctions)
    {
        (Name, City, State, _several) = (name, city, state, auctions);
    }

    /// <summary>The seller's name.</summary>
    public string Name { get; }

    /// <summary>The seller's city.</summary>
    public string City { get; }

    /// <summary>The seller's state.</summary>
    public string State { get; }

    /// <summary>The number of suggestions.</summary>
    public int Count => _several?.Length ?? 1;

    /// <summary>Walks the suggestions.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Walks the suggestions as <c>(name, city, state, auction)</c>.</summary>
    public struct Enumerator
    {
        private readonly Suggestions _suggestions;
        private int _next;

        internal Enumerator(Suggestions suggestions) => _suggestions = suggestions;

        /// <summary>The current suggestion.</summary>
        public (string Name, string City, string State, long Auction) Current { get; private set; }

        /// <summary>Moves to the next suggestion; false after the last.</summary>
        public bool MoveNext()
        {
            if (_next >= _suggestions.Count)
            {
                return false;
            }

            long auction = _suggestions._several is { } several ? several[_next] : _suggestions._one;
            Current = (_suggestions.Name, _suggestions.City, _suggestions.State, auction);
            _next++;
            return true;
        }
    }
}
