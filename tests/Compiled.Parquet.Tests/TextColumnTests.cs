using System.Text;
using Compiled.Parquet.Columns;
using global::Parquet;

namespace Compiled.Parquet.Tests;

/// <summary>
/// A text column's character buffer grows by doubling up to the most a column may keep (the largest array; a smaller
/// limit here, so that no test allocates gigabytes), and past it fails saying which column and what to change.
/// </summary>
public sealed class TextColumnTests
{
    [Fact]
    public async Task Growth_IsCappedAtTheLimit_SoTextUpToItFits_AndIsWrittenWhole()
    {
        // The first growth takes 4096 characters; doubling would ask for 8192, more than the limit, so the buffer takes 5000.
        var name = new TextColumn("name", nullable: false, maxChars: 5000);
        string first = new('a', 4096);
        string second = new('b', 904);
        name.AddUtf8(Encoding.UTF8.GetBytes(first));
        name.Add(second);

        Assert.Equal([first, second], await WrittenAsync(name));
    }

    [Fact]
    public void TextPastTheLimit_Fails_NamingTheColumnAndWhatToChange_AndKeepsTheRowsBefore()
    {
        var name = new TextColumn("name", nullable: true, maxChars: 5000);
        name.Add(new string('a', 4999));

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => name.Add("bc"));

        Assert.Equal(
            "Parquet column 'name' would hold 5001 characters of text in one batch, more than the 5000 one column can keep until " +
            "the batch's commit writes it as a row group; write fewer records per batch (a shorter batch interval), or less text in 'name'.",
            error.Message);
        Assert.Equal(1, name.Count);
    }

    [Fact]
    public async Task Utf8Text_IsMeasuredInCharacters_NotBytes_AtTheLimit()
    {
        // 4 characters in 8 bytes fill the last 4 characters of room: the bound of one character per byte would refuse them.
        var name = new TextColumn("name", nullable: false, maxChars: 4100);
        name.Add(new string('a', 4096));
        name.AddUtf8("éèêë"u8);

        Assert.Equal([new string('a', 4096), "éèêë"], await WrittenAsync(name));
        Assert.Throws<InvalidOperationException>(() => name.AddUtf8("x"u8));
    }

    // The column's rows as a row group writes them and Parquet.Net reads them back (a null as "(null)").
    private static async Task<string[]> WrittenAsync(TextColumn column)
    {
        var columns = new OneColumn(column);
        using var stream = new MemoryStream();
        await using (ParquetWriter writer = await ParquetWriter.CreateAsync(columns.Schema, stream, cancellationToken: TestContext.Current.CancellationToken))
        {
            await columns.WriteRowGroupAsync(writer, TestContext.Current.CancellationToken);
        }

        stream.Position = 0;
        await using ParquetReader reader = await ParquetReader.CreateAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        using ParquetRowGroupReader rowGroup = reader.OpenRowGroupReader(0);
        var values = new string?[column.Count];
        await rowGroup.ReadAsync(reader.Schema.GetDataFields()[0], values.AsMemory(), null, TestContext.Current.CancellationToken);
        return [.. values.Select(v => v ?? "(null)")];
    }

    private sealed class OneColumn(TextColumn column) : ParquetColumns(column);
}
