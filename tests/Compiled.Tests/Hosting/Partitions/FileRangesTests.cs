using System.Text;
using Compiled.Hosting.Partitions;
using Compiled.Tests.Connectors;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// The byte ranges a file (or a source's files laid end to end) is split into: they cover the bytes end to end without
/// overlap, every cut is a line's start (just after a '\n', or a file's start), and a line belongs to the range its
/// first byte falls in.
/// </summary>
public class FileRangesTests
{
    [Theory]
    [InlineData("", 3)]
    [InlineData("a", 3)]
    [InlineData("a\n", 2)]
    [InlineData("\n\n\n\n", 3)]
    [InlineData("one\ntwo\nthree\nfour\nfive\nsix\n", 4)]
    [InlineData("one\r\ntwo\r\nthree without newline", 2)]
    [InlineData("short\nvery very very very very very very long line\nx\n", 3)]
    public void Split_CutsOnlyAtLineStartsAndCoversTheFile(string content, int partitions)
    {
        using var temp = new TempDirectory();
        byte[] bytes = Encoding.ASCII.GetBytes(content);
        (FileRanges ranges, long length) = Split(temp, bytes, partitions);

        Assert.Equal(partitions, ranges.Count);
        Assert.Equal(0, ranges.Start(0));
        Assert.Equal(length, ranges.End(partitions - 1));
        for (int p = 0; p < partitions; p++)
        {
            Assert.True(ranges.Start(p) <= ranges.End(p), $"range {p} ends before it starts");
            if (p > 0)
            {
                Assert.Equal(ranges.End(p - 1), ranges.Start(p));
                long cut = ranges.Start(p);
                Assert.True(cut == 0 || cut == length || bytes[cut - 1] == (byte)'\n', $"cut {p} at {cut} is not just after a '\\n' in \"{content}\"");
            }
        }
    }

    [Fact]
    public void Split_ALineStartingExactlyAtTheEvenSplit_BelongsToTheRangeItStartsIn()
    {
        // 8 bytes in 2 ranges: the even split is at 4, where "efg" starts (the byte before it is '\n').
        using var temp = new TempDirectory();
        (FileRanges ranges, _) = Split(temp, "abc\nefg\n"u8.ToArray(), 2);

        Assert.Equal(4, ranges.End(0));
        Assert.Equal(4, ranges.Start(1));
    }

    [Fact]
    public void Split_ALineLongerThanTheSearchStep_PutsTheCutAfterItsEnd()
    {
        // One line of 200,000 bytes, longer than the 64 KiB read while looking for a line end, then a short one.
        using var temp = new TempDirectory();
        byte[] bytes = Encoding.ASCII.GetBytes(new string('x', 200_000) + "\nend\n");
        (FileRanges ranges, long length) = Split(temp, bytes, 2);

        Assert.Equal(200_001, ranges.End(0));
        Assert.Equal(length, ranges.End(1));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(9)]
    public void Split_SeveralFiles_PiecesCoverEachFileOnceInOrder_AndCutOnlyAtLineOrFileStarts(int partitions)
    {
        string[] contents = ["ab\ncd\n", "", "one line without newline", "\n\n", "x y z\nlonger line here\nend\n", "q"];
        using var temp = new TempDirectory();
        var handles = new List<SafeFileHandle>();
        try
        {
            var files = new List<(SafeFileHandle, long)>();
            for (int f = 0; f < contents.Length; f++)
            {
                string path = temp.Combine($"f{f}.txt");
                File.WriteAllText(path, contents[f]);
                SafeFileHandle handle = File.OpenHandle(path);
                handles.Add(handle);
                files.Add((handle, contents[f].Length));
            }

            FileRanges ranges = FileRanges.Split(files, partitions);

            // Laid end to end, the pieces of partition 0, then 1, ... are every file's bytes once, in file order.
            var pieces = Enumerable.Range(0, partitions).SelectMany(p => ranges.Segments(p)).ToList();
            string joined = string.Concat(pieces.Select(piece => contents[piece.File][(int)piece.Start..(int)piece.End]));
            Assert.Equal(string.Concat(contents), joined);
            Assert.Equal(pieces.OrderBy(piece => piece.File).ThenBy(piece => piece.Start), pieces);
            foreach ((int file, long start, long end) in pieces)
            {
                Assert.True(start < end, $"an empty piece of file {file} was given");
                Assert.True(start == 0 || contents[file][(int)start - 1] == '\n', $"a piece of file {file} starts at {start}, inside a line");
            }

            Assert.Equal(string.Concat(contents).Length, ranges.End(partitions - 1));
        }
        finally
        {
            handles.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public void Split_NoFiles_GivesEmptyRanges()
    {
        FileRanges ranges = FileRanges.Split(Array.Empty<(SafeFileHandle, long)>(), 3);

        Assert.Equal(3, ranges.Count);
        Assert.All(Enumerable.Range(0, 3), p => Assert.Empty(ranges.Segments(p)));
    }

    private static (FileRanges Ranges, long Length) Split(TempDirectory temp, byte[] bytes, int partitions)
    {
        string path = temp.Combine("input.txt");
        File.WriteAllBytes(path, bytes);
        using SafeFileHandle handle = File.OpenHandle(path);
        long length = RandomAccess.GetLength(handle);
        return (FileRanges.Split(handle, length, partitions), length);
    }
}
