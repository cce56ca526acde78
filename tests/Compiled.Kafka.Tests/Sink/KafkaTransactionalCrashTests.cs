using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Compiled.Kafka.Tests.Sink;

/// <summary>
/// Exactly-once output through a real kill: the job (<see cref="KafkaSinkCrashJob"/>) runs as a child process with a
/// checkpoint and a transactional kafka sink, stops at a fault point of its first batch, is killed with SIGKILL, and is
/// started again; in the end the topic holds every line once. The brokers are librdkafka's mock cluster, a TEST DOUBLE
/// hosted by the test process so that it outlives the kill (<see cref="KafkaMockCluster"/>: it does not hide records of
/// transactions that did not commit, so this proves that the sink sends nothing before the checkpoint is durable and
/// sends a checkpointed batch once after the restart; a real broker's abort of a transaction a crash left open is not
/// part of what it can show).
/// </summary>
public sealed class KafkaTransactionalCrashTests : IDisposable
{
    private readonly KafkaMockCluster _cluster = KafkaMockCluster.Start();
    private readonly TempDirectory _temp = new("compiled-kafka-crash");

    [Theory]
    [InlineData("before-commit")]
    [InlineData("after-prepare")]
    public async Task KilledAtFaultPoint_Restarted_TopicHoldsEveryLineOnce(string fault)
    {
        string topic = KafkaSinkTest.UniqueTopic("crash");
        string incoming = _temp.File("in");
        Directory.CreateDirectory(incoming);
        string signal = _temp.File("stopped");
        string[] first = [.. Enumerable.Range(0, 300).Select(i => $"line-{i:D5}")];
        string[] second = [.. Enumerable.Range(300, 300).Select(i => $"line-{i:D5}")];
        string[] arguments =
        [
            "--source", $"file://{incoming}/?existing=true",
            "--sink", $"kafka-fault://{_cluster.Authority}/{topic}?transactional.id=crash-{fault}-{Guid.NewGuid():N}",
            "--checkpoint", _temp.File("checkpoint"),
            "--log-level", "information",
        ];
        await ArriveAsync(incoming, "first.txt", first);

        using (Process job = StartJob(arguments, fault, signal, out StringBuilder log))
        {
            await WaitForAsync(() => File.Exists(signal), job, log, $"the job to stop at its fault point '{fault}'");

            // Stopped at the fault point: nothing of the batch reached Kafka.
            Assert.Empty(_cluster.ReadAll(topic, expectedAtLeast: 0, idle: TimeSpan.FromSeconds(1)));
            job.Kill();
            await job.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await ArriveAsync(incoming, "second.txt", second);
        using (Process job = StartJob(arguments, fault: null, signal, out StringBuilder log))
        {
            IReadOnlyList<(string? Key, string Value)> seen = [];
            await WaitForAsync(
                () => (seen = _cluster.ReadAll(topic, first.Length + second.Length, idle: TimeSpan.FromSeconds(1))).Count >= first.Length + second.Length,
                job,
                log,
                "every line in the topic");

            // A few batches more: output doubled late would show.
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            await StopAsync(job);
            Assert.True(job.ExitCode == 0, $"The restarted job exited {job.ExitCode}:\n{log}");

            // The restart took the path the fault point calls for: the checkpointed batch sent from the checkpoint
            // directory, or the batch that was not checkpointed dropped and its input read again.
            string expectedStep = fault == "before-commit" ? "had not committed" : "dropped prepared batch";
            lock (log)
            {
                Assert.True(log.ToString().Contains(expectedStep, StringComparison.Ordinal), $"The restarted job did not log '{expectedStep}':\n{log}");
            }
        }

        IReadOnlyList<(string? Key, string Value)> records = _cluster.ReadAll(topic, first.Length + second.Length);
        List<(string? Key, string Value)> expected = KafkaSinkTest.Sorted(
            first.Concat(second).Select(line => ((string?)line, line.Length.ToString(CultureInfo.InvariantCulture))));
        Assert.Equal(expected, KafkaSinkTest.Sorted(records));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _cluster.Dispose();
        _temp.Dispose();
    }

    // Writes a file under a hidden name and renames it in, as a watched directory requires.
    private static async Task ArriveAsync(string directory, string name, string[] lines)
    {
        string hidden = Path.Combine(directory, "." + name);
        await File.WriteAllLinesAsync(hidden, lines, TestContext.Current.CancellationToken);
        File.Move(hidden, Path.Combine(directory, name));
    }

    // This test assembly's executable, made to run the crash job by its startup hook.
    private static Process StartJob(string[] arguments, string? fault, string signal, out StringBuilder log)
    {
        string assembly = typeof(StartupHook).Assembly.Location;
        string apphost = Path.ChangeExtension(assembly, null);
        var start = new ProcessStartInfo(File.Exists(apphost) ? apphost : "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (!File.Exists(apphost))
        {
            start.ArgumentList.Add(assembly);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_STARTUP_HOOKS"] = assembly;
        start.Environment["COMPILED_KAFKA_SINK_TEST_JOB"] = "1";
        start.Environment["COMPILED_KAFKA_SINK_FAULT_SIGNAL"] = signal;
        if (fault is not null)
        {
            start.Environment["COMPILED_KAFKA_SINK_FAULT"] = fault;
        }
        else
        {
            start.Environment.Remove("COMPILED_KAFKA_SINK_FAULT");
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        log = output;
        return process;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.Append(line).Append('\n');
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, Process job, StringBuilder log, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (job.HasExited || waited.Elapsed > TimeSpan.FromSeconds(90))
            {
                if (!job.HasExited)
                {
                    job.Kill();
                }

                lock (log)
                {
                    Assert.Fail($"Waited {waited.Elapsed.TotalSeconds:0} s for {what}; the job {(job.HasExited ? "exited " + job.ExitCode : "still ran")}:\n{log}");
                }
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    // SIGTERM, as a supervisor stops a job: it finishes its batch and exits 0.
    private static async Task StopAsync(Process job)
    {
        using (Process kill = Process.Start("kill", ["-TERM", job.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        await job.WaitForExitAsync(bound.Token);
    }
}
