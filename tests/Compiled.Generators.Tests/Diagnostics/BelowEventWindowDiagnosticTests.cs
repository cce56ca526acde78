namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>
/// Whole-batch stages below an event-time window: the windows of struct keys are plain structs and may be handed in a
/// span (tested in Compiled.Tests); the windows of byte keys are ref structs over the key's bytes, so a [ForEachBatch]
/// or [Transform] below one is refused, at the stage, with the way out.
/// </summary>
public class BelowEventWindowDiagnosticTests
{
    private const string Usings = "using System;\nusing Compiled;\n";

    [Fact]
    public void CMP0006_ForEachBatchBelowAByteKeyedEventWindow() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(long Time, long Auction)> Bids();
            [EventTime(Lateness = "0")] public static long At((long Time, long Auction) bid) => bid.Time;
            [Map] public static KeyValue<long> PerAuction((long Time, long Auction) bid) => new(BitConverter.GetBytes(bid.Auction), 1);
            [EventWindow(Size = "10s")] public static long Count(long a, long b) => a + b;
            [ForEachBatch] public static void [|Hottest|](ReadOnlySpan<long> counts, long batchTime) { }
        }
        """,
        "CMP0006",
        "Stage 'Hottest' has a signature a [ForEachBatch] cannot have: it is handed the batch's records in a span, but 'Count' emits 'Windowed<long>', a ref struct that cannot be kept; key 'Count' by a struct (a [Map] to a (TKey, TValue) tuple above it), whose windows can be kept");
}
