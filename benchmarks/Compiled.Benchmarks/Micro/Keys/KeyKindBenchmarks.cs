using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Attributes;
using Compiled.Keys;

namespace Compiled.Benchmarks.Micro.Keys;

/// <summary>
/// reduceByKey per record with each kind of key, on the same records: a million trades over 5,000 ticker symbols
/// (1 to 5 letters, some with a class suffix such as "BRK.B"; a few symbols take most trades), their volumes summed per
/// symbol into an empty table, as a batch does. The symbol is a byte span (<see cref="ByteKeyTable{TValue}"/>), a string
/// (<see cref="StructKeyTable{TKey, TValue}"/>, each record its own string instance, as a parsed line gives), a string
/// decoded per record (what a string key costs a job whose source gives bytes), or an 8-byte struct a user packs the
/// symbol into (the hand-written key type string keys replace). Mean is per record (OperationsPerInvoke), and so is
/// Allocated.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("KeyKinds")]
public class KeyKindBenchmarks
{
    /// <summary>The records of one invocation.</summary>
    public const int Records = 1_000_000;
    private const int Symbols = 5_000;

    private byte[] _utf8 = [];
    private (int Offset, int Length)[] _spans = [];
    private string[] _strings = [];
    private long[] _volumes = [];
    private readonly ByteKeyTable<long> _bytes = new(Symbols);
    private readonly StructKeyTable<string, long> _strings2 = new(Symbols);
    private readonly StructKeyTable<PackedSymbol, long> _packed = new(Symbols);
    private readonly Dictionary<string, long> _dictionary = new(Symbols, StringComparer.Ordinal);
    private readonly SharedReduce<string> _shared = new(Symbols);

    /// <summary>Draws the records: symbols skewed toward the first ones, volumes 1 to 1,000.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        string[] symbols = new string[Symbols];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Symbols; i++)
        {
            string symbol;
            do
            {
                int letters = 1 + random.Next(5);
                symbol = string.Create(letters, random, static (chars, r) =>
                {
                    for (int c = 0; c < chars.Length; c++)
                    {
                        chars[c] = (char)('A' + r.Next(26));
                    }
                });
                if (symbol.Length <= 3 && random.Next(20) == 0)
                {
                    symbol += "." + (char)('A' + random.Next(2));
                }
            }
            while (!seen.Add(symbol));
            symbols[i] = symbol;
        }

        var text = new List<byte>();
        _spans = new (int, int)[Records];
        _strings = new string[Records];
        _volumes = new long[Records];
        for (int i = 0; i < Records; i++)
        {
            // A cube skews the draw: the first 1% of the symbols take about a fifth of the trades.
            string symbol = symbols[(int)(Symbols * Math.Pow(random.NextDouble(), 3))];
            byte[] bytes = Encoding.UTF8.GetBytes(symbol);
            _spans[i] = (text.Count, bytes.Length);
            text.AddRange(bytes);
            _strings[i] = new string(symbol.AsSpan());
            _volumes[i] = 1 + random.Next(1000);
        }

        _utf8 = [.. text];
        long bytes0 = ByteKeys(), strings = StringKeys(), shared = StringKeysShared(), dictionary = StringKeysDictionary(), decoded = StringKeysDecoded(), packed = StructKeys();
        if (bytes0 != strings || strings != shared || strings != dictionary || strings != decoded || decoded != packed)
        {
            throw new InvalidOperationException($"The variants disagree: {bytes0}, {strings}, {shared}, {dictionary}, {decoded}, {packed}.");
        }
    }

    /// <summary>Byte-span keys: the symbol's UTF-8 bytes, copied into the table's arena when first seen.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records, Description = "byte-span keys (ByteKeyTable)")]
    public long ByteKeys()
    {
        ByteKeyTable<long> table = _bytes;
        table.Clear();
        ReadOnlySpan<byte> utf8 = _utf8;
        (int Offset, int Length)[] spans = _spans;
        long[] volumes = _volumes;
        for (int i = 0; i < spans.Length; i++)
        {
            ref long slot = ref table.GetValueRefOrAddDefault(utf8.Slice(spans[i].Offset, spans[i].Length), out bool exists);
            slot = exists ? slot + volumes[i] : volumes[i];
        }

        return Checksum(table.Count, k => table.ValueAt(k));
    }

    /// <summary>String keys: each record's own string (as a typed source parses it), the table keeping the first of each.</summary>
    [Benchmark(OperationsPerInvoke = Records, Description = "string keys (StructKeyTable<string>)")]
    public long StringKeys()
    {
        StructKeyTable<string, long> table = _strings2;
        table.Clear();
        string[] strings = _strings;
        long[] volumes = _volumes;
        for (int i = 0; i < strings.Length; i++)
        {
            ref long slot = ref table.GetValueRefOrAddDefault(strings[i], out bool exists);
            slot = exists ? slot + volumes[i] : volumes[i];
        }

        return Checksum(table.Count, k => table.ValueAt(k));
    }

    /// <summary>
    /// The same string keys, the table called from a generic class over the key (as a keyed window or a state store
    /// calls it), whose code the runtime shares among reference-type keys: nothing there knows the key is a string.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Records, Description = "string keys, from shared generic code")]
    public long StringKeysShared() => _shared.Reduce(_strings, _volumes);

    /// <summary>The same string keys in the BCL's <see cref="Dictionary{TKey, TValue}"/> (ordinal), for reference.</summary>
    [Benchmark(OperationsPerInvoke = Records, Description = "string keys (Dictionary<string>)")]
    public long StringKeysDictionary()
    {
        Dictionary<string, long> table = _dictionary;
        table.Clear();
        string[] strings = _strings;
        long[] volumes = _volumes;
        for (int i = 0; i < strings.Length; i++)
        {
            ref long slot = ref CollectionsMarshal.GetValueRefOrAddDefault(table, strings[i], out bool exists);
            slot = exists ? slot + volumes[i] : volumes[i];
        }

        long sum = 0;
        foreach (long total in table.Values)
        {
            sum += total;
        }

        return (table.Count * 1_000_000_007L) + sum;
    }

    /// <summary>String keys decoded from the bytes per record: the string a typed source allocates for a string field, and the lookup.</summary>
    [Benchmark(OperationsPerInvoke = Records, Description = "string keys, decoded per record")]
    public long StringKeysDecoded()
    {
        StructKeyTable<string, long> table = _strings2;
        table.Clear();
        ReadOnlySpan<byte> utf8 = _utf8;
        (int Offset, int Length)[] spans = _spans;
        long[] volumes = _volumes;
        for (int i = 0; i < spans.Length; i++)
        {
            string symbol = Encoding.UTF8.GetString(utf8.Slice(spans[i].Offset, spans[i].Length));
            ref long slot = ref table.GetValueRefOrAddDefault(symbol, out bool exists);
            slot = exists ? slot + volumes[i] : volumes[i];
        }

        return Checksum(table.Count, k => table.ValueAt(k));
    }

    /// <summary>A struct key: the symbol's bytes packed into 8 bytes, as a hand-written key type does.</summary>
    [Benchmark(OperationsPerInvoke = Records, Description = "struct key (8-byte packed symbol)")]
    public long StructKeys()
    {
        StructKeyTable<PackedSymbol, long> table = _packed;
        table.Clear();
        ReadOnlySpan<byte> utf8 = _utf8;
        (int Offset, int Length)[] spans = _spans;
        long[] volumes = _volumes;
        for (int i = 0; i < spans.Length; i++)
        {
            ref long slot = ref table.GetValueRefOrAddDefault(PackedSymbol.Of(utf8.Slice(spans[i].Offset, spans[i].Length)), out bool exists);
            slot = exists ? slot + volumes[i] : volumes[i];
        }

        return Checksum(table.Count, k => table.ValueAt(k));
    }

    // The number of keys and the sum of their totals (once a batch, not per record): equal for every variant.
    private static long Checksum(int keys, Func<int, long> total)
    {
        long sum = 0;
        for (int k = 0; k < keys; k++)
        {
            sum += total(k);
        }

        return (keys * 1_000_000_007L) + sum;
    }

    /// <summary>A symbol of up to 8 ASCII bytes in one word (the hand-written key a string key replaces).</summary>
    private readonly record struct PackedSymbol(ulong Packed)
    {
        public static PackedSymbol Of(ReadOnlySpan<byte> symbol)
        {
            Span<byte> word = stackalloc byte[8];
            word.Clear();
            symbol.CopyTo(word);
            return new PackedSymbol(BinaryPrimitives.ReadUInt64LittleEndian(word));
        }
    }

    /// <summary>reduceByKey in a generic class over the key, not inlined into a caller that knows the key's type.</summary>
    private sealed class SharedReduce<TKey>(int capacity)
    {
        private readonly StructKeyTable<TKey, long> _table = new(capacity);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public long Reduce(TKey[] keys, long[] volumes)
        {
            StructKeyTable<TKey, long> table = _table;
            table.Clear();
            for (int i = 0; i < keys.Length; i++)
            {
                ref long slot = ref table.GetValueRefOrAddDefault(keys[i], out bool exists);
                slot = exists ? slot + volumes[i] : volumes[i];
            }

            return Checksum(table.Count, k => table.ValueAt(k));
        }
    }
}
