using System.Text;
using Samples.Nexmark.Generator;

namespace Compiled.Nexmark.Tests;

/// <summary>A generated stream held in memory: each event's kind, time and CSV line, and its fields split at the commas.</summary>
internal sealed record NexmarkStream(GeneratorConfig Config, IReadOnlyList<(EventKind Kind, long Time, string Line)> Events)
{
    public static NexmarkStream Generate(GeneratorConfig config)
    {
        var generator = new EventGenerator(config);
        var events = new List<(EventKind, long, string)>();
        byte[] line = new byte[EventGenerator.MaxLineBytes];
        for (long n = 0; n < config.Events; n++)
        {
            int length = generator.Write(n, line, out EventKind kind, out long time);
            events.Add((kind, time, Encoding.UTF8.GetString(line, 0, length)));
        }

        return new NexmarkStream(config, events);
    }

    public IEnumerable<string> Lines(EventKind kind) => Events.Where(e => e.Kind == kind).Select(e => e.Line);

    public IEnumerable<string[]> Fields(EventKind kind) => Lines(kind).Select(l => l.Split(','));
}
