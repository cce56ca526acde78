using System.Globalization;
using System.Text;

namespace Compiled.Tests.Records;

public class RecordTextTests
{
    [Fact]
    public void RecordText_AppendValue_FormatsARefStructWithoutBoxingIt()
    {
        // A ref struct cannot be boxed, so this compiles only because AppendValue allows ref structs.
        var text = new RecordText(capacity: 1);
        text.Clear().Append('(').AppendValue(new Word("héllo"u8)).Append(',').AppendValue(42).Append(')');

        Assert.Equal("(héllo,42)", Encoding.UTF8.GetString(text.Written));
    }

    [Fact]
    public void RecordText_ATuple_IsWrittenAsSparkPrintsIt_InTheInvariantCulture()
    {
        // A tuple's own ToString follows the current culture (de-DE writes 1,5) and puts a space after each comma.
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var text = new RecordText();
            text.Clear().AppendObject(("a", 1.5, -2m, true, (string?)null, (3, 0.25f)));

            Assert.Equal("(a,1.5,-2,true,null,(3,0.25))", Encoding.UTF8.GetString(text.Written));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void RecordText_ALargeRecord_CostsAboutItsSize()
    {
        // A 16 MB key rendered as (key,1): the buffer takes the key at its size, and the few bytes after it fit in
        // the room left over; doubling would allocate the key's size three times over (16 MB, then 32 MB for ',').
        byte[] key = new byte[16 << 20];
        key.AsSpan().Fill((byte)'x');
        var text = new RecordText();
        long before = GC.GetAllocatedBytesForCurrentThread();
        text.Clear().Append('(').Append(key).Append(',').AppendValue(1L).Append(')');
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(key.Length + 4, text.Written.Length);
        Assert.True(allocated < key.Length * 5L / 4, $"rendering a {key.Length} B record allocated {allocated} B; it should cost about its size");
    }

    [Fact]
    public void RecordText_AfterALargeRecord_GivesItsBufferBack()
    {
        var text = new RecordText();
        text.Clear().Append(new byte[4 << 20]);
        Assert.True(text.Capacity >= 4 << 20);

        // The next record starts with a small buffer again: one large record does not hold megabytes for the rest of the run.
        text.Clear().Append("(a,1)"u8);
        Assert.Equal("(a,1)", Encoding.UTF8.GetString(text.Written));
        Assert.True(text.Capacity <= 1 << 20, $"the buffer kept {text.Capacity} B after a large record");
    }

    [Fact]
    public void RecordText_SmallRecords_KeepTheirBufferAndAllocateNothing()
    {
        var text = new RecordText();
        byte[] value = new byte[1000];
        text.Clear().Append(new byte[64 << 10]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            text.Clear().Append('(').Append(value).Append(',').AppendValue(i).Append(')');
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private readonly ref struct Word(ReadOnlySpan<byte> bytes) : IUtf8SpanFormattable
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public bool TryFormat(Span<byte> destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            bytesWritten = _bytes.Length;
            return _bytes.TryCopyTo(destination);
        }

        public string ToString(string? format, IFormatProvider? provider) => Encoding.UTF8.GetString(_bytes);
    }
}
