namespace Compiled.Tests.Hosting.Partitions;

/// <summary>What the console sink printed, batch by batch.</summary>
internal static class PrintedBatches
{
    /// <summary>The records of each batch: the lines between a batch's header and its empty line.</summary>
    public static List<List<string>> Of(string printed)
    {
        var batches = new List<List<string>>();
        List<string>? batch = null;
        foreach (string line in printed.Split('\n'))
        {
            if (line.StartsWith("Time: ", StringComparison.Ordinal))
            {
                batch = [];
                batches.Add(batch);
            }
            else if (batch is not null && line.Length > 0 && !line.StartsWith("-----", StringComparison.Ordinal))
            {
                batch.Add(line);
            }
        }

        return batches;
    }
}
