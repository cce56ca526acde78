using System.Globalization;
using System.Text;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// A record far larger than a read, as an operator feeds one with <c>maxRecordBytes</c> raised: the process's peak
/// memory grows by a small multiple of the record (the bytes read, one copy, and what the stages keep of it), measured
/// as the kernel's high-water mark of its resident set. The framer's own cost, in allocated bytes, is bounded more
/// tightly by <c>LargeRecordMemoryTests</c> in the unit tests.
/// </summary>
public class LargeRecordTests
{
    // Just over 32 MiB: a pooled copy would be rounded up to 64 MiB.
    private const int RecordLength = (32 << 20) + 4096;

    [Fact]
    public async Task WordCount_Executable_LargeLine_CostsASmallMultipleOfItsSize()
    {
        byte[] large = new byte[RecordLength + 1];
        for (int i = 0; i < RecordLength; i++)
        {
            large[i] = (i & 1) == 0 ? (byte)'a' : (byte)' ';
        }

        large[^1] = (byte)'\n';

        await using var child = RunningExecutable.Start(["--source", "stdin:?maxRecordBytes=104857600", "--batch-interval", "1s", "--log-level", "warning"]);

        // The baseline is the same process's peak once it has run a batch of a four-byte line and sits idle: started,
        // every stage built, its first output written. (Two processes' peaks compared, the small one polled every 20 ms,
        // could catch the small one before its peak on a loaded machine and overstate the difference.)
        child.FeedStandardInput(Encoding.ASCII.GetBytes("b b\n"), keepOpen: true);
        await child.ReadStandardOutputUntilAsync("(b,2)");
        long baseline = HighWaterMark(child.Id);
        Assert.True(baseline > 0, "The process's peak resident set could not be read from /proc.");

        child.FeedStandardInput(large, keepOpen: false);
        Task<string> output = child.ReadStandardOutputToEndAsync();
        long peak = baseline;
        DateTime giveUp = DateTime.UtcNow.AddMinutes(2);
        while (!child.HasExited && DateTime.UtcNow < giveUp)
        {
            peak = Math.Max(peak, HighWaterMark(child.Id));
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        // Past the two minutes, this fails the test (and ends the process) with what it printed.
        int exited = await child.WaitForExitAsync(RunningPipeline.Patience);
        string counts = await output;
        Assert.True(exited == 0, $"exit code {exited}; standard error:\n{child.Error}");
        Assert.Contains($"(a,{RecordLength / 2})", counts, StringComparison.Ordinal);

        // The bytes read and one copy of the record (about twice its size), with room for the runtime's own growth.
        double perRecord = (double)(peak - baseline) / RecordLength;
        Assert.True(
            perRecord <= 3,
            $"A line of {RecordLength} bytes raised the peak resident set from {baseline} to {peak} bytes: {perRecord:F2} times the line.");
    }

    // VmHWM from /proc/<pid>/status, in bytes; 0 once the process is gone.
    private static long HighWaterMark(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process ended between the check and the read.
        }

        return 0;
    }
}
