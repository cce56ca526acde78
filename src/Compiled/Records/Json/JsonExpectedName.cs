using System.Runtime.CompilerServices;
using System.Text;

namespace Compiled;

/// <summary>
/// A property name the generated JSON parser expects next at the top of a line, as <see cref="JsonRecordReader.NextName"/>
/// gives it, ready for <see cref="JsonLineReader.TryNextProperty(in JsonExpectedName, out ReadOnlySpan{byte})"/>: the name
/// in its quotes with its colon (<c>"name":</c>) as two 8-byte words and their masks, so that the name is compared with two
/// loads and no loop; and the property's index in declaration order.
/// </summary>
public readonly struct JsonExpectedName
{
    // The words of "name": from its opening quote: the bytes [0, 8) and [Reach - 8, Reach), each masked to the bytes it
    // compares; a head that no masked word equals (mask 0, head 1) for a name not compared by words.
    internal readonly ulong Head;
    internal readonly ulong HeadMask;
    internal readonly ulong Tail;
    internal readonly ulong TailMask;

    // The bytes the words span from the opening quote: 8 at least, so that a short name is one word.
    internal readonly int Reach;

    // The length of "name": (quotes and colon included): where the value begins, from the opening quote.
    internal readonly int Quoted;

    private readonly byte[] _name;

    private JsonExpectedName(int index, byte[] name, bool byWords)
    {
        Index = index;
        _name = name;
        Quoted = name.Length + 3;
        Reach = Math.Max(8, Quoted);
        if (!byWords || Reach > 16)
        {
            // A name JSON writes with escapes is expected nowhere; a long one is compared by the scan of the name.
            Head = 1;
            Reach = 8;
            return;
        }

        var quoted = new byte[16];
        var mask = new byte[16];
        quoted[0] = (byte)'"';
        name.CopyTo(quoted, 1);
        quoted[name.Length + 1] = (byte)'"';
        quoted[name.Length + 2] = (byte)':';
        mask.AsSpan(0, Quoted).Fill(0xFF);
        Head = Unsafe.ReadUnaligned<ulong>(ref quoted[0]);
        HeadMask = Unsafe.ReadUnaligned<ulong>(ref mask[0]);
        if (Reach > 8)
        {
            Tail = Unsafe.ReadUnaligned<ulong>(ref quoted[Reach - 8]);
            TailMask = Unsafe.ReadUnaligned<ulong>(ref mask[Reach - 8]);
        }
    }

    /// <summary>The property's index among the names at the top of the record's paths, in declaration order.</summary>
    public int Index { get; }

    /// <summary>The name as a line writes it (without quotes); empty when none is expected, or the name needs escapes.</summary>
    public ReadOnlySpan<byte> Name => _name;

    /// <summary>
    /// The expectation of property <paramref name="index"/> named <paramref name="name"/>; <see langword="null"/> for
    /// none (past the last property), which no name matches.
    /// </summary>
    internal static JsonExpectedName Of(int index, string? name)
    {
        bool plain = name is not null && name.All(ch => ch >= ' ' && ch != '"' && ch != '\\');
        return new JsonExpectedName(index, plain ? Encoding.UTF8.GetBytes(name!) : [], plain);
    }
}
