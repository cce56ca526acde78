using System.Text;

namespace Compiled.Tests.Records;

public class Utf8WordsTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("a", new[] { "a" })]
    [InlineData("  the  cat sat ", new[] { "the", "cat", "sat" })]
    [InlineData("tab\tis not a separator", new[] { "tab\tis", "not", "a", "separator" })]
    [InlineData("   ", new string[0])]
    public void Utf8Words_SplitsOnSpaceAndDropsEmptyWords(string line, string[] expected)
    {
        var words = new List<string>();
        foreach (ReadOnlySpan<byte> word in new Utf8Words(Encoding.UTF8.GetBytes(line)))
        {
            words.Add(Encoding.UTF8.GetString(word));
        }

        Assert.Equal(expected, words);
    }

    [Fact]
    public void Utf8Words_EveryLengthAndPlaceOfWords_SplitAsStringSplitDoes()
    {
        // Texts of 0 to 80 bytes (shorter and longer than the 16 bytes compared at a time), of words of 1 to 40 bytes
        // (shorter and longer than 16) between runs of separators, at the text's ends too; each split as string.Split
        // with empty entries removed splits it, on the space and on another separator byte.
        var random = new Random(12);
        foreach (char separator in new[] { ' ', ',' })
        {
            for (int length = 0; length <= 80; length++)
            {
                for (int trial = 0; trial < 40; trial++)
                {
                    var text = new StringBuilder(length);
                    while (text.Length < length)
                    {
                        if (random.Next(3) == 0)
                        {
                            text.Append(separator, random.Next(1, 4));
                        }
                        else
                        {
                            int word = random.Next(4) == 0 ? random.Next(14, 41) : random.Next(1, 10);
                            for (int i = 0; i < word; i++)
                            {
                                text.Append((char)('a' + random.Next(26)));
                            }
                        }
                    }

                    string line = text.ToString(0, length);
                    var words = new List<string>();
                    foreach (ReadOnlySpan<byte> word in new Utf8Words(Encoding.ASCII.GetBytes(line), (byte)separator))
                    {
                        words.Add(Encoding.ASCII.GetString(word));
                    }

                    Assert.Equal(line.Split(separator, StringSplitOptions.RemoveEmptyEntries), words);
                }
            }
        }
    }

    [Fact]
    public void Utf8Words_AWordRunningToTheTextsEnd_EndsThere()
    {
        // The text is the first part of a larger buffer whose next byte is a separator: a word that runs to the text's
        // end ends there, not at the separator after it.
        byte[] buffer = Encoding.ASCII.GetBytes("one two threefourfivesix seven eight nineteen twenty");
        for (int length = 1; length < buffer.Length; length++)
        {
            var words = new List<string>();
            foreach (ReadOnlySpan<byte> word in new Utf8Words(buffer.AsSpan(0, length)))
            {
                words.Add(Encoding.ASCII.GetString(word));
            }

            Assert.Equal(Encoding.ASCII.GetString(buffer, 0, length).Split(' ', StringSplitOptions.RemoveEmptyEntries), words);
        }
    }
}
