using System.Text;
using Compiled.Connectors;

namespace Compiled.Tests.Records.Csv;

/// <summary>Random records written as CSV and read back by the generated parser are the records written.</summary>
public class CsvRoundTripTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 5)]   // five-byte segments: records straddle segments, and quoted line breaks straddle reads
    [InlineData(3, 4096)]
    public void RandomRecords_WrittenAndReadBack_AreEqual(int seed, int segmentSize)
    {
        var random = new Random(seed);
        var expected = new List<SampleValues>();
        var csv = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            SampleValues values = SampleRows.Random(random);
            expected.Add(values);
            csv.Append(SampleRows.Write(values, random));
        }

        var counters = new SourceCounters();
        var reader = new CsvRecordReader(Sample.CsvLayout, "Samples", counters);
        int row = 0;
        CsvFeed.Read<Sample>(Encoding.UTF8.GetBytes(csv.ToString()), reader, Sample.TryReadCsv, s =>
        {
            SampleRows.AssertEqual(expected[row], s, row);
            row++;
        }, segmentSize);

        Assert.Equal(0, counters.Malformed);
        Assert.Equal(expected.Count, row);
    }
}
