using System.Buffers.Binary;
using System.Globalization;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Samples.Nexmark.Generator;

[assembly: SourceConnector("nexmark", typeof(NexmarkSourceFactory), Usage = "nexmark:bids?events=N&seed=S&rate=R")]

namespace Samples.Nexmark.Generator;

/// <summary>Creates <c>nexmark:</c> sources; declared above, so every pipeline of this assembly may read <c>nexmark:bids?events=N</c>.</summary>
public sealed class NexmarkSourceFactory : ISourceFactory
{
    /// <inheritdoc />
    public static Source Create(ConnectorUri uri, SourceContext context) => new NexmarkSource(uri, context);
}

/// <summary>
/// A Nexmark stream as a source: <c>nexmark:bids</c>, <c>nexmark:auctions</c> or <c>nexmark:persons</c> delivers the
/// events of that kind among the first <c>events</c> (default 1,000,000) of the stream of <c>seed</c> (default 0), one
/// CSV line per message (as <see cref="EventGenerator"/> writes them, with the event time as the message's
/// timestamp), and ends after them, as a file does. With <c>rate=R</c> the events are R per second of event time and
/// are delivered at that pace on the run's clock; without it they are 10,000 per second of event time, delivered as
/// fast as the job takes them. Replayable: the stream is the same for the same options, and its position is the number
/// of the next event.
/// </summary>
public sealed class NexmarkSource : MessageSource
{
    private readonly EventGenerator _generator;
    private readonly EventKind _kind;
    private readonly int _paceRate;   // events per second on the clock; 0: as fast as possible
    private readonly byte[] _line = new byte[EventGenerator.MaxLineBytes];
    private long _next;               // the number of the next event to look at
    private long _taken;              // the number of the event after the last one the job has taken
    private long _startTicks;         // when delivery started, for the pace
    private bool _started;

    /// <summary>A source of the stream and kind <paramref name="uri"/> names; refuses an unknown kind or a bad option.</summary>
    public NexmarkSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        _kind = uri.Target.ToLowerInvariant() switch
        {
            "bids" => EventKind.Bid,
            "auctions" => EventKind.Auction,
            "persons" => EventKind.Person,
            _ => throw uri.Error($"'{uri.Target}' is not a kind of Nexmark event; write nexmark:bids, nexmark:auctions or nexmark:persons"),
        };
        long events = TakeLong(uri, "events", 1_000_000, minimum: 0);
        long seed = TakeLong(uri, "seed", 0, minimum: long.MinValue);
        long rate = TakeLong(uri, "rate", 0, minimum: 1);
        if (rate > int.MaxValue)
        {
            throw uri.Error($"rate={rate} is more events per second than the generator paces; write a rate of at most {int.MaxValue}, or none for as fast as possible");
        }

        _paceRate = (int)rate;
        _generator = new EventGenerator(new GeneratorConfig(seed, events, rate == 0 ? GeneratorConfig.DefaultRate : (int)rate));
    }

    /// <summary>The stream this source delivers events of.</summary>
    public GeneratorConfig Config => _generator.Config;

    /// <inheritdoc />
    public override SourceReplay Replay => SourceReplay.Replayable;

    /// <inheritdoc />
    public override async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            _started = true;
            _startTicks = Context.TimeProvider.GetTimestamp();
        }

        SkipOtherKinds();
        if (_next >= Config.Events)
        {
            return false;
        }

        if (_paceRate > 0)
        {
            TimeSpan wait = DueAt(_next) - Context.TimeProvider.GetElapsedTime(_startTicks);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Context.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool TryRead(MessageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        TimeSpan now = _paceRate > 0 ? Context.TimeProvider.GetElapsedTime(_startTicks) : TimeSpan.MaxValue;
        Span<byte> position = stackalloc byte[8];
        int added = 0;
        SkipOtherKinds();
        while (_next < Config.Events && !batch.IsFull && (added == 0 || _paceRate == 0 || DueAt(_next) <= now))
        {
            int length = _generator.Write(_next, _line, out _, out long timeMs);
            _next++;
            SkipOtherKinds();
            BinaryPrimitives.WriteInt64LittleEndian(position, _next);
            batch.Add(_line.AsSpan(0, length), timeMs, position);
            added++;
        }

        return added > 0;
    }

    /// <inheritdoc />
    protected override void OnTaken(MessageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _taken = BinaryPrimitives.ReadInt64LittleEndian(batch.LastPosition);
    }

    /// <inheritdoc />
    public override SourcePosition GetPosition()
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, _taken);
        return new SourcePosition(bytes, $"{Uri.Text} at event {_taken}");
    }

    /// <inheritdoc />
    public override void ResumeFrom(SourcePosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (_started)
        {
            throw new InvalidOperationException($"Source {Uri.Text} has started delivering events; give it a position before.");
        }

        if (position.Payload.Length != 8)
        {
            throw new InvalidDataException($"The position '{position.Description}' is not one of a nexmark: source (8 bytes); start from a new checkpoint directory.");
        }

        _next = _taken = BinaryPrimitives.ReadInt64LittleEndian(position.Payload.Span);
    }

    /// <summary>When event <paramref name="eventNumber"/> is due on the clock, from the start of delivery.</summary>
    private TimeSpan DueAt(long eventNumber) => TimeSpan.FromTicks((long)(eventNumber * (Int128)TimeSpan.TicksPerSecond / _paceRate));

    private void SkipOtherKinds()
    {
        while (_next < Config.Events && EventIds.KindOf(_next) != _kind)
        {
            _next++;
        }
    }

    private static long TakeLong(ConnectorUri uri, string name, long defaultValue, long minimum)
    {
        string? text = uri.TakeString(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) || value < minimum)
        {
            throw uri.Error($"{name}={text} is not a whole number of at least {minimum}; write {name}=N");
        }

        return value;
    }
}
