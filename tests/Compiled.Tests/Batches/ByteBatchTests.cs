using System.Text;
using Compiled.Testing;

namespace Compiled.Tests.Batches;

/// <summary>
/// [ForEachBatch] over byte records and byte-keyed records, which are views of the input: the stage keeps a copy of
/// each record for the batch and hands the function a <see cref="ByteBatch"/> or <see cref="KeyValueBatch{TValue}"/>.
/// </summary>
public class ByteBatchTests
{
    [Fact]
    public void ForEachBatch_OfByteRecords_SeesEachBatchsRecords_InArrivalOrder()
    {
        WordBatches.Words = [];
        WordBatches.Totals = [];
        using var test = new WordBatches.TestDriver();
        test.Lines.Batch("to be or", "not to be");
        test.Lines.Batch();
        test.Lines.Batch("be");
        test.RunToEnd();

        Assert.NotNull(WordBatches.Words);
        Assert.Equal(["1000: to be or not to be", "2000: ", "3000: be"], WordBatches.Words);
    }

    [Fact]
    public void ForEachBatch_OfByteKeyedRecords_SeesEachKeysTotal_OfItsBatch()
    {
        WordBatches.Words = [];
        WordBatches.Totals = [];
        using var test = new WordBatches.TestDriver();
        test.Lines.Batch("to be or", "not to be");
        test.Lines.Batch("be");
        test.RunToEnd();

        Assert.NotNull(WordBatches.Totals);
        Assert.Equal(["1000: to=2 be=2 or=1 not=1", "2000: be=1"], WordBatches.Totals);
    }
}

/// <summary>Words of each batch, and their totals per batch, each observed whole by a [ForEachBatch].</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordBatches
{
    [Source]
    public static partial Lines Lines();

    [FlatMap]
    public static Utf8Words Split(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    [ForEachBatch]
    public static void EachWord(ByteBatch words, long batchTime)
    {
        var text = new List<string>(words.Count);
        foreach (ReadOnlySpan<byte> word in words)
        {
            text.Add(Encoding.UTF8.GetString(word));
        }

        Assert.Equal(words.Count, text.Count);
        (Words ??= []).Add($"{batchTime}: {string.Join(' ', text)}");
    }

    [Map(Input = nameof(Split))]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [ForEachBatch]
    public static void EachTotal(KeyValueBatch<long> totals, long batchTime)
    {
        if (totals.Count == 0)
        {
            return;
        }

        var text = new List<string>();
        for (int i = 0; i < totals.Count; i++)
        {
            KeyValue<long> total = totals[i];
            text.Add($"{Encoding.UTF8.GetString(total.Key)}={total.Value}");
        }

        (Totals ??= []).Add($"{batchTime}: {string.Join(' ', text)}");
    }

    // A test drives its pipeline on its own thread, so each test sees only its own batches.
    [ThreadStatic]
    public static List<string>? Words;

    [ThreadStatic]
    public static List<string>? Totals;
}
