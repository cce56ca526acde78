using System.Buffers;
using System.Text;
using Compiled.Sinks;

namespace Compiled.Benchmarks.WordCount;

/// <summary>
/// The word count as a .NET user would write it first: decode each line to a <see cref="string"/>, split it
/// with <see cref="string.Split(char, StringSplitOptions)"/>, and count with <c>GroupBy</c> /
/// <c>ToDictionary</c>; then write <c>(word,count)</c> records to the sink, like the other two.
/// </summary>
public static class LinqWordCount
{
    /// <summary>Counts the words of every line of <paramref name="buffer"/>, then writes the counts to <paramref name="sink"/>.</summary>
    public static void Run(in ReadOnlySequence<byte> buffer, Sink sink)
    {
        // SequenceReader is the idiomatic way to find lines in a pipe's buffer (a ref struct cannot live in
        // an iterator, so the lines are collected into a list first, as a user would).
        var lines = new List<string>();
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            lines.Add(Encoding.UTF8.GetString(line));
        }

        if (!reader.End)
        {
            lines.Add(Encoding.UTF8.GetString(reader.UnreadSequence));
        }

        Dictionary<string, long> counts = lines
            .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .GroupBy(word => word)
            .ToDictionary(group => group.Key, group => group.LongCount());

        foreach ((string word, long count) in counts)
        {
            sink.Write(Encoding.UTF8.GetBytes($"({word},{count})"));
        }
    }
}
