using System.Text;

namespace Compiled.Tests.Records.Fuzzing;

/// <summary>
/// The inputs of the record parsers' fuzz tests: valid inputs from a seed corpus, mutated byte by byte (flips, inserted
/// delimiters and quotes, invalid UTF-8, deleted and repeated runs, cuts, splices, digits run long), and random bytes
/// drawn mostly from the characters a parser cares about. Deterministic for a seed.
/// </summary>
/// <remarks>
/// How many inputs a fuzz test runs is <see cref="Count"/>: 100,000 by default (a few seconds, what the test command
/// runs), or the number in the environment variable <c>COMPILED_FUZZ_INPUTS</c>, e.g. <c>COMPILED_FUZZ_INPUTS=1000000</c>
/// for the full run the README describes.
/// </remarks>
internal sealed class FuzzInputs
{
    /// <summary>The environment variable that sets how many inputs each fuzz test runs.</summary>
    public const string CountVariable = "COMPILED_FUZZ_INPUTS";

    private static readonly byte[][] Tokens =
    [
        "\""u8.ToArray(), "\"\""u8.ToArray(), ","u8.ToArray(), ";"u8.ToArray(), "\n"u8.ToArray(), "\r\n"u8.ToArray(), "\r"u8.ToArray(),
        "\\"u8.ToArray(), "\\u00"u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), ":"u8.ToArray(),
        "-"u8.ToArray(), "."u8.ToArray(), "e"u8.ToArray(), "E+"u8.ToArray(), "0"u8.ToArray(), "9"u8.ToArray(), " "u8.ToArray(),
        "null"u8.ToArray(), "true"u8.ToArray(), "NaN"u8.ToArray(), "\t"u8.ToArray(), [0x00], [0xFF], [0xC3], [0xE2, 0x82], [0xC0, 0xAF],
        [0xED, 0xA0, 0x80], "é"u8.ToArray(), "𝄞"u8.ToArray(), "99999999999999999999999999999"u8.ToArray(),
    ];

    private static readonly byte[] Alphabet = Encoding.UTF8.GetBytes("\",;\n\r\\{}[]:-.eE+0123456789 abcxyzTFtrueflsnul\t").Concat(new byte[] { 0xFF, 0xC3, 0x80, 0x00 }).ToArray();

    private readonly Random _random;
    private readonly byte[][] _corpus;

    /// <summary>Inputs made from <paramref name="corpus"/> (valid inputs of the parser under test) and <paramref name="seed"/>.</summary>
    public FuzzInputs(IEnumerable<byte[]> corpus, int seed)
    {
        _corpus = corpus.ToArray();
        _random = new Random(seed);
    }

    /// <summary>How many inputs a fuzz test runs: <c>COMPILED_FUZZ_INPUTS</c>, or 100,000.</summary>
    public static int Count =>
        int.TryParse(Environment.GetEnvironmentVariable(CountVariable), out int count) && count > 0 ? count : 100_000;

    /// <summary>The next input: a corpus entry mutated one to four times (most inputs), one left whole, or random bytes.</summary>
    public byte[] Next()
    {
        int kind = _random.Next(20);
        if (kind == 0)
        {
            return Random();
        }

        var input = new List<byte>(_corpus[_random.Next(_corpus.Length)]);
        if (kind == 1)
        {
            return input.ToArray();
        }

        int mutations = 1 + _random.Next(4);
        for (int m = 0; m < mutations; m++)
        {
            Mutate(input);
        }

        return input.ToArray();
    }

    private void Mutate(List<byte> input)
    {
        int at = input.Count == 0 ? 0 : _random.Next(input.Count + 1);
        switch (_random.Next(8))
        {
            case 0 when input.Count > 0:
                input[Math.Min(at, input.Count - 1)] = (byte)_random.Next(256);
                break;
            case 1 when input.Count > 0:
                int start = _random.Next(input.Count);
                input.RemoveRange(start, _random.Next(1, Math.Min(8, input.Count - start) + 1));
                break;
            case 2 when input.Count > 0:
                int from = _random.Next(input.Count);
                int run = _random.Next(1, Math.Min(16, input.Count - from) + 1);
                input.InsertRange(at, input.GetRange(from, run));
                break;
            case 3:
                input.RemoveRange(at, input.Count - at);
                break;
            case 4:
                byte[] other = _corpus[_random.Next(_corpus.Length)];
                int cut = _random.Next(other.Length + 1);
                input.RemoveRange(at, input.Count - at);
                input.AddRange(other.AsSpan(cut).ToArray());
                break;
            case 5:
                int digit = input.FindIndex(Math.Min(at, input.Count), b => b is >= (byte)'0' and <= (byte)'9');
                if (digit >= 0)
                {
                    input.InsertRange(digit, Enumerable.Repeat((byte)'9', _random.Next(10, 400)));
                }

                break;
            default:
                input.InsertRange(at, Tokens[_random.Next(Tokens.Length)]);
                break;
        }
    }

    private byte[] Random()
    {
        byte[] bytes = new byte[_random.Next(0, 120)];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = _random.Next(8) == 0 ? (byte)_random.Next(256) : Alphabet[_random.Next(Alphabet.Length)];
        }

        return bytes;
    }
}
