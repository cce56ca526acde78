using Compiled.Checkpoints;

namespace Samples.Nexmark.Queries;

/// <summary>
/// What Q3 knows of a seller: whether the person has registered and, if in one of the suggested states, the person's
/// name, city and state; before the registration, the auctions that wait for it. Written into a checkpoint by itself.
/// </summary>
public readonly record struct SellerState : ICheckpointValue<SellerState>
{
    private SellerState(bool registered, bool isLocal, string name, string city, string state, long[]? waiting)
    {
        Registered = registered;
        IsLocal = isLocal;
        Name = name;
        City = city;
        State = state;
        Waiting = waiting;
    }

    /// <summary>A registered person who lives outside the suggested states.</summary>
    public static SellerState Elsewhere => new(true, false, "", "", "", null);

    /// <summary>Whether the person has registered.</summary>
    public bool Registered { get; }

    /// <summary>Whether the person lives in one of the suggested states.</summary>
    public bool IsLocal { get; }

    /// <summary>The local person's name; empty otherwise.</summary>
    public string Name { get; } = "";

    /// <summary>The local person's city; empty otherwise.</summary>
    public string City { get; } = "";

    /// <summary>The local person's state; empty otherwise.</summary>
    public string State { get; } = "";

    /// <summary>Before the registration: the auctions of the seller so far, in the order they came; otherwise null.</summary>
    public long[]? Waiting { get; }

    /// <summary>A registered person who lives in one of the suggested states.</summary>
    public static SellerState Local(string name, string city, string state) => new(true, true, name, city, state, null);

    /// <summary>This seller, not registered yet, with one more auction waiting (a copy of the list, one longer: rare, so kept simple).</summary>
    public SellerState Wait(long auction)
    {
        int count = Waiting?.Length ?? 0;
        long[] waiting = new long[count + 1];
        Waiting?.CopyTo(waiting, 0);
        waiting[count] = auction;
        return new SellerState(false, false, "", "", "", waiting);
    }

    /// <inheritdoc />
    public static void WriteTo(in SellerState value, ref CheckpointWriter.Section section)
    {
        section.WriteUnmanaged(value.Registered);
        section.WriteUnmanaged(value.IsLocal);
        section.WriteString(value.Name);
        section.WriteString(value.City);
        section.WriteString(value.State);
        ReadOnlySpan<long> waiting = value.Waiting;
        section.WriteUnmanaged(waiting.Length);
        foreach (long auction in waiting)
        {
            section.WriteUnmanaged(auction);
        }
    }

    /// <inheritdoc />
    public static SellerState ReadFrom(ref CheckpointReader.Section section)
    {
        bool registered = section.ReadUnmanaged<bool>();
        bool isLocal = section.ReadUnmanaged<bool>();
        string name = section.ReadString();
        string city = section.ReadString();
        string state = section.ReadString();
        int count = section.ReadUnmanaged<int>();
        long[]? waiting = count == 0 ? null : new long[count];
        for (int i = 0; i < (waiting?.Length ?? 0); i++)
        {
            waiting![i] = section.ReadUnmanaged<long>();
        }

        return new SellerState(registered, isLocal, name, city, state, waiting);
    }
}
