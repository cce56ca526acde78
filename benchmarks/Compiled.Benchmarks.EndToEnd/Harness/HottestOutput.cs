using System.Globalization;
using System.Text;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// The answer of the Q5-style job (each 10 s window of event time, every 2 s, and its auctions with the most bids) over
/// a bid file, worked out here the plain way (a dictionary of windows, each a dictionary of auctions) and kept beside
/// the file (<c>.hottest</c>) for later runs; a job's output is right when its <c>(windowStart, auction, bids)</c>
/// lines, in any order and over any number of files, are the answer's.
/// </summary>
internal sealed class HottestOutput : IExpectedOutput
{
    private const long Size = 10_000;
    private const long Slide = 2_000;

    private readonly string[] _lines;
    private readonly long _bids;

    /// <summary>Reads the answer for <paramref name="bidsPath"/>, working it out first if it is not beside the file.</summary>
    public HottestOutput(string bidsPath)
    {
        string path = bidsPath + ".hottest";
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"Working out the hottest auctions of {bidsPath} into {path} (once; it is reused after).");
            (string[] answer, long bids) = Work(bidsPath);
            File.WriteAllLines(path + ".tmp", [bids.ToString(CultureInfo.InvariantCulture), .. answer]);
            File.Move(path + ".tmp", path, overwrite: true);
        }

        string[] all = File.ReadAllLines(path);
        _bids = long.Parse(all[0], CultureInfo.InvariantCulture);
        _lines = all[1..];
    }

    /// <inheritdoc />
    public string Describe() => $"{_bids:N0} bids, {_lines.Length:N0} (window, hottest auction) lines expected";

    /// <inheritdoc />
    public (long Count, string Unit)? Events => (_bids, "bids");

    /// <inheritdoc />
    public string? Difference(string directory)
    {
        var actual = new List<string>();
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            actual.AddRange(File.ReadLines(file, Encoding.UTF8).Where(line => line.Length > 0));
        }

        actual.Sort(StringComparer.Ordinal);
        for (int i = 0; i < Math.Min(actual.Count, _lines.Length); i++)
        {
            if (actual[i] != _lines[i])
            {
                return $"line {i + 1} of the sorted output is '{actual[i]}'; the answer's is '{_lines[i]}'";
            }
        }

        return actual.Count == _lines.Length ? null : $"{actual.Count:N0} lines were written, {_lines.Length:N0} expected";
    }

    // Every bid counted in each window that holds its time; then, per window, the auctions with the most bids.
    private static (string[] Lines, long Bids) Work(string bidsPath)
    {
        var windows = new Dictionary<long, Dictionary<long, long>>();
        long bids = 0;
        foreach (string line in File.ReadLines(bidsPath))
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            long auction = long.Parse(fields[0], CultureInfo.InvariantCulture);
            long time = long.Parse(fields[^1], CultureInfo.InvariantCulture);
            bids++;
            for (long start = time - (((time % Slide) + Slide) % Slide); start > time - Size; start -= Slide)
            {
                if (!windows.TryGetValue(start, out Dictionary<long, long>? counts))
                {
                    windows[start] = counts = [];
                }

                counts[auction] = counts.GetValueOrDefault(auction) + 1;
            }
        }

        var lines = new List<string>();
        foreach ((long start, Dictionary<long, long> counts) in windows)
        {
            long most = counts.Values.Max();
            lines.AddRange(counts.Where(c => c.Value == most).Select(c => string.Create(CultureInfo.InvariantCulture, $"({start},{c.Key},{most})")));
        }

        lines.Sort(StringComparer.Ordinal);
        return ([.. lines], bids);
    }
}
