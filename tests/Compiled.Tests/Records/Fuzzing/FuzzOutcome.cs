namespace Compiled.Tests.Records.Fuzzing;

/// <summary>What a fuzz run over a parser's inputs came to: how many records it parsed and refused.</summary>
internal sealed class FuzzOutcome
{
    /// <summary>Records parsed.</summary>
    public int Parsed { get; set; }

    /// <summary>Records refused.</summary>
    public int Refused { get; set; }

    /// <summary>The refusals a reader counted under every reason, summed (<paramref name="refused"/> is its <c>Refused</c>).</summary>
    public static long RefusedForAnyReason(Func<BadRecordReason, long> refused)
    {
        long sum = 0;
        foreach (BadRecordReason reason in Enum.GetValues<BadRecordReason>())
        {
            sum += refused(reason);
        }

        return sum;
    }

    /// <summary>An input as its first 200 bytes in hex, for a failure's message.</summary>
    public static string Show(byte[] input) => Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 200)));
}
