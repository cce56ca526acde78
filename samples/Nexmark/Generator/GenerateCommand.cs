using System.Globalization;

namespace Samples.Nexmark.Generator;

/// <summary>
/// <c>generate --events N [--seed S] [--rate R] --out DIR</c>: writes the first N events of the stream of seed S into
/// DIR/persons.csv, DIR/auctions.csv and DIR/bids.csv, a line per event.
/// </summary>
public static class GenerateCommand
{
    /// <summary>The usage line.</summary>
    public const string Usage = "generate --events N [--seed S] [--rate R] --out DIR";

    /// <summary>Runs the command on its arguments (those after <c>generate</c>); returns the exit code (2 for bad arguments).</summary>
    public static int Run(ReadOnlySpan<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        long? events = null;
        long seed = 0;
        long rate = GeneratorConfig.DefaultRate;
        string? directory = null;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (i + 1 >= args.Length)
            {
                error.WriteLine($"error: {name} needs a value; usage: {Usage}");
                return 2;
            }

            string value = args[++i];
            switch (name)
            {
                case "--events" when TryParse(value, 0, out long n):
                    events = n;
                    break;
                case "--seed" when TryParse(value, long.MinValue, out long s):
                    seed = s;
                    break;
                case "--rate" when TryParse(value, 1, out long r) && r <= int.MaxValue:
                    rate = r;
                    break;
                case "--out":
                    directory = value;
                    break;
                case "--events" or "--seed" or "--rate":
                    error.WriteLine($"error: {name} {value} is not a valid number (--events and --rate take whole numbers of at least 0 and 1, --seed any whole number); usage: {Usage}");
                    return 2;
                default:
                    error.WriteLine($"error: unknown option '{name}'; usage: {Usage}");
                    return 2;
            }
        }

        if (events is null || directory is null)
        {
            error.WriteLine($"error: give {(events is null ? "--events N" : "--out DIR")}; usage: {Usage}");
            return 2;
        }

        var config = new GeneratorConfig(seed, events.Value, (int)rate);
        (long persons, long auctions, long bids) = Write(config, directory);
        output.WriteLine($"{events} events (seed {seed}, {rate} per second of event time): {persons} persons, {auctions} auctions, {bids} bids in {Path.GetFullPath(directory)}");
        return 0;
    }

    /// <summary>Writes the stream <paramref name="config"/> describes into the three files of <paramref name="directory"/>; returns how many of each kind.</summary>
    public static (long Persons, long Auctions, long Bids) Write(GeneratorConfig config, string directory)
    {
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(directory);
        var generator = new EventGenerator(config);
        using var persons = Open(Path.Combine(directory, "persons.csv"));
        using var auctions = Open(Path.Combine(directory, "auctions.csv"));
        using var bids = Open(Path.Combine(directory, "bids.csv"));
        Span<long> counts = stackalloc long[3];
        byte[] line = new byte[EventGenerator.MaxLineBytes + 1];
        for (long n = 0; n < config.Events; n++)
        {
            int length = generator.Write(n, line, out EventKind kind, out _);
            line[length] = (byte)'\n';
            (kind switch { EventKind.Person => persons, EventKind.Auction => auctions, _ => bids }).Write(line, 0, length + 1);
            counts[(int)kind]++;
        }

        return (counts[0], counts[1], counts[2]);
    }

    private static FileStream Open(string path) => new(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);

    private static bool TryParse(string text, long minimum, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= minimum;
}
