namespace Compiled.Internal;

/// <summary>
/// Nouns that agree with their count in log lines ("1 record", "2 records"). A count stays a placeholder of its own,
/// so structured logs keep the number; the noun is a second placeholder next to it.
/// </summary>
internal static class Noun
{
    /// <summary><paramref name="singular"/> for a count of 1, <paramref name="plural"/> otherwise (0 included).</summary>
    public static string For(long count, string singular, string plural) => count == 1 ? singular : plural;

    /// <summary><c>record</c> or <c>records</c>.</summary>
    public static string Records(long count) => For(count, "record", "records");

    /// <summary><c>byte</c> or <c>bytes</c>.</summary>
    public static string Bytes(long count) => For(count, "byte", "bytes");
}
