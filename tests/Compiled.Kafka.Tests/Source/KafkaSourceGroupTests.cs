using System.Diagnostics;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// Two processes of one job (<see cref="KafkaGroupMember"/>, child processes of the test) read a 4-partition topic in
/// one consumer group while records keep coming: the second joins while the first runs, then the first stops. Each
/// rebalance hands partitions over only once the records taken from them are committed, so between them the two
/// write every record exactly once.
/// </summary>
[Collection(KafkaSourceCollection.Name)]
public sealed class KafkaSourceGroupTests(KafkaSourceFixture kafka)
{
    private const int Total = 4000;

    [Fact]
    public async Task TwoProcessesInOneGroup_ShareThePartitions_AndTogetherWriteEveryRecordOnce_AcrossTheRebalances()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("shared");
        string group = KafkaSourceTest.Unique("g");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 4);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 1000);
        string uri = KafkaSourceTest.SourceUri(kafka.Server, topic, group);
        Member first = new(temp, "first");
        Member second = new(temp, "second");
        try
        {
            first.Start(uri);
            await KafkaSourceTest.WaitUntil(() => KafkaSourceTest.Written(first.Output).Count == 1000, "the first process to write the first 1,000 records", 120);
            Assert.Contains("gave this process", first.Log(), StringComparison.Ordinal);

            // Records keep coming from here on, while the second process joins and the first leaves.
            Task producing = Task.Run(async () =>
            {
                for (int from = 1000; from < Total; from += 100)
                {
                    KafkaSourceTest.Produce(kafka.Server, topic, from, from + 100);
                    await Task.Delay(50, TestContext.Current.CancellationToken);
                }
            }, TestContext.Current.CancellationToken);

            second.Start(uri);
            await KafkaSourceTest.WaitUntil(() => second.Log().Contains("gave this process", StringComparison.Ordinal) && KafkaSourceTest.Written(second.Output).Count > 0,
                "the second process to be given partitions and write records", 120);
            Assert.Contains("handed", first.Log(), StringComparison.Ordinal);

            // The first stops as Ctrl+C would: its last batch commits, its offsets are committed, its partitions go to the second.
            await first.StopAsync();
            await producing.WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
            await KafkaSourceTest.WaitUntil(() => KafkaSourceTest.Written(first.Output, second.Output).Count == Total, "every record to be written", 120);
            await second.StopAsync();

            Assert.Equal(KafkaSourceTest.EachOnce(0, Total), KafkaSourceTest.Written(first.Output, second.Output));
            Assert.True(KafkaSourceTest.Written(second.Output).Count < Total - 1000, "the second process wrote everything the first did not: they never shared the partitions");
            Assert.Equal(KafkaSourceTest.EndOffsets(kafka.Server, topic, 4), KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 4));

            // After the first left, the second held all four partitions.
            string last = second.Log().Split('\n').Last(l => l.Contains("gave this process", StringComparison.Ordinal));
            Assert.All(Enumerable.Range(0, 4), p => Assert.Contains($"{topic}[{p}]", last, StringComparison.Ordinal));
        }
        finally
        {
            first.Kill();
            second.Kill();
        }
    }

    // A member process, its output directory, log and stop file.
    private sealed class Member(KafkaScratch temp, string name)
    {
        private Process? _process;

        public string Output { get; } = temp.Combine(name + "-out");

        private string LogFile { get; } = temp.Combine(name + ".log");

        private string StopFile { get; } = temp.Combine(name + ".stop");

        public void Start(string uri) => _process = KafkaGroupMember.Start(uri, Output, StopFile, LogFile);

        public string Log()
        {
            try
            {
                using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                return new StreamReader(stream).ReadToEnd();
            }
            catch (FileNotFoundException)
            {
                return "";
            }
        }

        public async Task StopAsync()
        {
            await File.WriteAllTextAsync(StopFile, "stop", TestContext.Current.CancellationToken);
            await _process!.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
            string console = File.Exists(LogFile + ".console") ? File.ReadAllText(LogFile + ".console") : "";
            Assert.True(_process.ExitCode == 0, $"The {name} process exited with {_process.ExitCode}:\n{console}\n{Log()}");
        }

        public void Kill()
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            _process?.Dispose();
        }
    }
}
