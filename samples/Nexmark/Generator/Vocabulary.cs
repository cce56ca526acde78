namespace Samples.Nexmark.Generator;

/// <summary>The words persons are made of, as the Nexmark specification lists them.</summary>
internal static class Vocabulary
{
    public static readonly byte[][] FirstNames = Utf8("Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter");

    public static readonly byte[][] LastNames = Utf8("Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris");

    public static readonly byte[][] Cities = Utf8("Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne");

    public static readonly byte[][] States = Utf8("AZ", "CA", "ID", "OR", "WA", "WY");

    /// <summary>The channels most bids come through; the others are <c>channel-N</c>.</summary>
    public static readonly byte[][] HotChannels = Utf8("Google", "Facebook", "Baidu", "Apple");

    private static byte[][] Utf8(params string[] words) => Array.ConvertAll(words, System.Text.Encoding.UTF8.GetBytes);
}
