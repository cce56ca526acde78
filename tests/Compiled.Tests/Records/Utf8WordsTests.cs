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
}
