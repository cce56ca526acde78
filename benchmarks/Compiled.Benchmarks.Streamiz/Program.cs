using System.Runtime.InteropServices;
using System.Text;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.State;
using Streamiz.Kafka.Net.Table;

// The word count of a Kafka topic's lines in Streamiz.Kafka.Net, as a Kafka Streams user writes it:
// stream(topic).flatMapValues(split on ' ').groupBy(word).count(), here into an in-memory store with its changelog
// disabled, each update kept (the last one per word is its count) and written as (word,count) lines when the job is
// stopped (SIGTERM or Ctrl+C), as the compiled job's file sink writes them.
//   dotnet Compiled.Benchmarks.Streamiz.dll BOOTSTRAP TOPIC APPLICATION-ID OUTPUT [name=value ...]
// APPLICATION-ID is also the consumer group, whose committed offsets say how far the job has got. Every name=value is
// given to the clients as written (e.g. api.version.request=false for an old broker).
if (args.Length < 4)
{
    Console.Error.WriteLine("Usage: BOOTSTRAP TOPIC APPLICATION-ID OUTPUT [name=value ...] (client properties, as librdkafka names them)");
    return 2;
}

string bootstrap = args[0], topic = args[1], application = args[2], outputPath = args[3];
var config = new StreamConfig<StringSerDes, StringSerDes>
{
    ApplicationId = application,
    BootstrapServers = bootstrap,
    AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
    CommitIntervalMs = 1000,
};
foreach (string property in args.Skip(4))
{
    int equals = property.IndexOf('=', StringComparison.Ordinal);
    if (equals < 1)
    {
        Console.Error.WriteLine($"'{property}' is not a client property; write name=value, e.g. api.version.request=false");
        return 2;
    }

    // Streamiz sets a property it knows through a typed setter: a flag or a number is given as one.
    string value = property[(equals + 1)..];
    config[property[..equals]] = bool.TryParse(value, out bool flag) ? flag
        : int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int number) ? number
        : value;
}

var counts = new Dictionary<string, long>(StringComparer.Ordinal);
var builder = new StreamBuilder();
builder.Stream<string, string>(topic)
    .FlatMapValues<string>((line, _) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
    .GroupBy<string, StringSerDes>((_, word, _) => word)
    .Count(InMemory.As<string, long>("word-counts").WithLoggingDisabled())
    .ToStream()
    .Foreach((word, count, _) =>
    {
        lock (counts)
        {
            counts[word] = count;
        }
    });

using var stop = new CancellationTokenSource();
using PosixSignalRegistration onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
using PosixSignalRegistration onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
var stream = new KafkaStream(builder.Build(), config);
stream.StateChanged += (_, state) => Console.Error.WriteLine($"streamiz: {state}");
await stream.StartAsync();   // stopped below, on the signal
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

stream.Dispose();
using (var output = new StreamWriter(outputPath, append: false, new UTF8Encoding(false), 1 << 20))
{
    lock (counts)
    {
        foreach ((string word, long count) in counts)
        {
            output.Write('(');
            output.Write(word);
            output.Write(',');
            output.Write(count);
            output.Write(")\n");
        }
    }
}

return 0;
