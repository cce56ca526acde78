using Compiled.Connectors;
using Compiled.Hosting;
using Compiled.Kafka.Sink;
using Compiled.Kafka.Tests.Sink;
using Compiled.Sinks;

// The sink the crash tests' job writes through: the kafka sink, stopped at a fault point so that the test can kill the
// process there (kafka-fault://... is kafka://... with the fault of COMPILED_KAFKA_SINK_FAULT).
[assembly: SinkConnector("kafka-fault", typeof(FaultInjectingKafkaSinkFactory), Usage = "kafka-fault://host:port/topic?transactional.id=ID")]

namespace Compiled.Kafka.Tests.Sink
{
    /// <summary>
    /// The job the crash tests run as a child process and kill: lines of the files of a watched directory, each sent to
    /// Kafka keyed by the line, with its length as the value. Run by <see cref="StartupHook"/> when the test starts this
    /// test assembly's executable with <c>COMPILED_KAFKA_SINK_TEST_JOB=1</c>.
    /// </summary>
    [Pipeline(BatchInterval = "200ms")]
    public static partial class KafkaSinkCrashJob
    {
        /// <summary>Lines of the files that arrive in a directory.</summary>
        [Source(Default = "file:input.txt")]
        public static partial Lines Input();

        /// <summary>(line, its length).</summary>
        [Map]
        public static KeyValue<long> Keyed(ReadOnlySpan<byte> line) => new(line, line.Length);

        /// <summary>A message per line.</summary>
        [Sink(Default = "kafka://127.0.0.1:9092/lines")]
        public static partial void Output(ReadOnlySpan<byte> line, long length);
    }

    /// <summary>Creates the <c>kafka-fault://</c> sinks of the crash job.</summary>
    public sealed class FaultInjectingKafkaSinkFactory : ISinkFactory
    {
        /// <summary>The kafka sink of the same URI with <c>kafka://</c>, wrapped.</summary>
        public static Compiled.Sinks.Sink Create(ConnectorUri uri, SinkContext context)
        {
            ArgumentNullException.ThrowIfNull(uri);
            ConnectorUri kafka = ConnectorUri.Parse("kafka" + uri.Original["kafka-fault".Length..], "sink");
            var inner = (KafkaSink)KafkaSinkFactory.Create(kafka, context);
            kafka.ThrowIfUnknownOptions();
            uri.TakeOptions(static _ => true);
            return new FaultInjectingKafkaSink(uri, context, inner);
        }
    }

    /// <summary>
    /// The kafka sink with a fault point: at the first batch with records, <c>COMPILED_KAFKA_SINK_FAULT=after-prepare</c>
    /// stops after <see cref="PrepareBatchAsync"/> (before the run's checkpoint), <c>before-commit</c> at the start of
    /// <see cref="CommitBatchAsync"/> (after the checkpoint is durable). Stopping writes the batch's time to the file
    /// <c>COMPILED_KAFKA_SINK_FAULT_SIGNAL</c> and waits to be killed.
    /// </summary>
    internal sealed class FaultInjectingKafkaSink(ConnectorUri uri, SinkContext context, KafkaSink inner)
        : Compiled.Sinks.Sink(uri, context), IRecordWriter<KeyValue<long>>
    {
        private static readonly string? Fault = Environment.GetEnvironmentVariable("COMPILED_KAFKA_SINK_FAULT");
        private static readonly string? Signal = Environment.GetEnvironmentVariable("COMPILED_KAFKA_SINK_FAULT_SIGNAL");
        private long _batchTime;
        private int _records;

        public override SinkGuarantee Guarantee => inner.Guarantee;

        public override long? LastCommittedBatchTime => inner.LastCommittedBatchTime;

        public override ValueTask OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

        public override ValueTask RecoverAsync(long checkpointedBatchTime, CancellationToken cancellationToken) =>
            inner.RecoverAsync(checkpointedBatchTime, cancellationToken);

        public override void BeginBatch(long batchTimeMs)
        {
            _batchTime = batchTimeMs;
            _records = 0;
            inner.BeginBatch(batchTimeMs);
        }

        public override void Write(ReadOnlySpan<byte> record)
        {
            _records++;
            inner.Write(record);
        }

        public void Write(KeyValue<long> record)
        {
            _records++;
            inner.Write(record);
        }

        public override async ValueTask PrepareBatchAsync(CancellationToken cancellationToken)
        {
            await inner.PrepareBatchAsync(cancellationToken);
            StopHereIf("after-prepare");
        }

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken)
        {
            StopHereIf("before-commit");
            return inner.CommitBatchAsync(cancellationToken);
        }

        public override void AbortBatch() => inner.AbortBatch();

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }

        private void StopHereIf(string point)
        {
            if (Fault == point && _records > 0 && Signal is not null && !File.Exists(Signal))
            {
                File.WriteAllText(Signal, _batchTime.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Thread.Sleep(Timeout.Infinite);
            }
        }
    }
}

#pragma warning disable CA1050 // The runtime finds a startup hook by this exact name, in no namespace.
/// <summary>
/// Makes this test assembly's executable run <see cref="KafkaSinkCrashJob"/> instead of the tests: the crash tests start
/// it with <c>DOTNET_STARTUP_HOOKS</c> naming this assembly and <c>COMPILED_KAFKA_SINK_TEST_JOB=1</c>; the runtime calls
/// <see cref="Initialize"/> before the test runner's <c>Main</c>, which never runs, for the job's exit ends the process.
/// </summary>
internal static class StartupHook
#pragma warning restore CA1050
{
    /// <summary>Runs the job with the process's arguments and exits with its exit code, when asked to.</summary>
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("COMPILED_KAFKA_SINK_TEST_JOB") != "1")
        {
            return;
        }

        string[] arguments = Environment.GetCommandLineArgs()[1..];
        int exit = PipelineProgram.RunAsync(KafkaSinkCrashJob.Definition, arguments).GetAwaiter().GetResult();
        Environment.Exit(exit);
    }
}
