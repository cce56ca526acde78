using System.Text;
using Compiled.Sinks;

namespace Compiled.Tests.Sinks;

/// <summary>PairText finds the comma between a pair's key and value, the value's own commas left alone.</summary>
public sealed class PairTextTests
{
    [Theory]
    [InlineData("(word,3)", "word", "3")]
    [InlineData("(7,(12,3))", "7", "(12,3)")]
    [InlineData("(a,b,c)", "a,b", "c")]
    [InlineData("((x,y),(1,(2,3)))", "(x,y)", "(1,(2,3))")]
    [InlineData("(,)", "", "")]
    public void Splits_at_the_last_comma_outside_the_values_parentheses(string text, string key, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int comma = PairText.CommaIndex(bytes);
        Assert.Equal((key, value), (Encoding.UTF8.GetString(bytes, 1, comma - 1), Encoding.UTF8.GetString(bytes, comma + 1, bytes.Length - comma - 2)));
    }

    [Theory]
    [InlineData("word 3")]
    [InlineData("(word)")]
    [InlineData("(a,b")]
    [InlineData("a,b)")]
    [InlineData("()")]
    [InlineData("")]
    public void Text_that_is_not_a_pair_has_no_comma(string text) =>
        Assert.Equal(-1, PairText.CommaIndex(Encoding.UTF8.GetBytes(text)));
}
