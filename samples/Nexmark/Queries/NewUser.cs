using Compiled.Checkpoints;

namespace Samples.Nexmark.Queries;

/// <summary>
/// What Q8 gathers of a person in one window: whether the person registered in it (with the name) and whether the
/// person opened an auction in it. Two of them merge into what both saw, in any order. Written into a checkpoint by
/// itself, since the name is a string.
/// </summary>
/// <param name="Registered">Whether the person's registration is in the window.</param>
/// <param name="Name">The person's name, if registered in the window; empty otherwise.</param>
/// <param name="Opened">Whether an auction the person opened is in the window.</param>
public readonly record struct NewUser(bool Registered, string Name, bool Opened) : ICheckpointValue<NewUser>
{
    /// <summary>What one event of a seller says.</summary>
    public static NewUser Of(SellerEvent e) => e.IsPerson ? new NewUser(true, e.Name, false) : new NewUser(false, "", true);

    /// <summary>What two parts of a window say together.</summary>
    public static NewUser Merge(NewUser a, NewUser b) =>
        new(a.Registered || b.Registered, a.Registered ? a.Name : b.Name, a.Opened || b.Opened);

    /// <inheritdoc />
    public static void WriteTo(in NewUser value, ref CheckpointWriter.Section section)
    {
        section.WriteUnmanaged(value.Registered);
        section.WriteString(value.Name);
        section.WriteUnmanaged(value.Opened);
    }

    /// <inheritdoc />
    public static NewUser ReadFrom(ref CheckpointReader.Section section)
    {
        bool registered = section.ReadUnmanaged<bool>();
        string name = section.ReadString();
        return new NewUser(registered, name, section.ReadUnmanaged<bool>());
    }
}
