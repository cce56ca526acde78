namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>[ForEachBatch] over byte records takes them as a ByteBatch (or KeyValueBatch&lt;V&gt;); a span is refused with the signature to write.</summary>
public class ByteBatchDiagnosticTests
{
    private const string Usings = "using System;\nusing Compiled;\n";

    [Fact]
    public void CMP0006_ForEachBatchOfByteKeyedRecords_TakingASpan() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKey] public static long Add(long a, long b) => a + b;
            [ForEachBatch] public static void [|Observe|](ReadOnlySpan<long> totals, long batchTime) { }
        }
        """,
        "CMP0006",
        "Stage 'Observe' has a signature a [ForEachBatch] cannot have: 'Add' emits 'KeyValue<long>', views of the input that the batch keeps as copies; it takes them as static void Observe(KeyValueBatch<long> records, long batchTime)");
}
