using Compiled.Checkpoints;

namespace Compiled.Windows;

/// <summary>
/// A window over a stream that is not keyed, merged again at each slide (<c>[ReduceByWindow]</c> without
/// <c>Inverse</c>): each batch's records are reduced into the batch's own partial value
/// (<see cref="BatchWindow{TPart}.Current"/>, which the fused loop writes directly), the last
/// <see cref="WindowClock.Length"/> partials are kept in a ring, and at a slide they are reduced, oldest first.
/// </summary>
/// <remarks>The state is the clock, the ring of partials and the partial in progress
/// (see <see cref="BatchWindow{TPart}"/>). A checkpoint captures <see cref="BatchWindow{TPart}.Clock"/> and the parts
/// that have a value (<see cref="BatchWindow{TPart}.Parts"/>, with their batch numbers) between batches; a new window
/// given them with <see cref="BatchWindow{TPart}.Restore"/> and <see cref="Put"/> emits what the captured one would
/// have.</remarks>
/// <typeparam name="T">The reduced type.</typeparam>
/// <typeparam name="TReduce">The reduce, as a struct so that the user's method is called directly.</typeparam>
public sealed class PartialWindow<T, TReduce> : BatchWindow<Partial<T>>
    where TReduce : struct, IReducer<T>
{
    private readonly Partial<T> _window = new();

    /// <summary>Creates a window <paramref name="length"/> batches long that emits every <paramref name="slide"/> batches.</summary>
    public PartialWindow(int length, int slide)
        : base(new WindowClock(length, slide), Windowing.Ring<Partial<T>>(length), new())
    {
    }

    /// <summary>
    /// While restoring (after <see cref="BatchWindow{TPart}.Restore"/>): puts back the partial value of batch
    /// <paramref name="batch"/>, as <see cref="BatchWindow{TPart}.Parts"/> listed it (only parts that have a value).
    /// </summary>
    public void Put(long batch, T value)
    {
        Partial<T> part = PartToRestore(batch);
        part.Value = value;
        part.HasValue = true;
    }

    /// <summary>
    /// Writes the whole state into a checkpoint section, between batches: the clock, then each part, oldest first (a
    /// varint 0 for a part without a value, else 1 and the value through <see cref="CheckpointValues{T}"/>).
    /// </summary>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        WriteClock(ref section);
        foreach (Partial<T> part in Parts)
        {
            part.WriteCheckpoint(ref section);
        }
    }

    /// <summary>
    /// Restores what <see cref="WriteCheckpoint"/> wrote into this new window of the same length and slide, which then
    /// emits what the written one would have. A malformed section throws and leaves the window new.
    /// </summary>
    /// <exception cref="InvalidOperationException">The window has taken in a batch or been restored.</exception>
    /// <exception cref="CheckpointCorruptException">The section is malformed or of a window of another length or slide.</exception>
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        WindowClock clock = ReadClock(ref section);
        var parts = new Partial<T>[PartCount(clock)];
        for (int index = 0; index < parts.Length; index++)
        {
            parts[index] = Partial<T>.ReadCheckpoint(ref section);
        }

        RestoreParts(clock, parts);
    }

    /// <summary>The window's records reduced, after <see cref="Advance"/> returned <see langword="true"/>; valid until the next <see cref="Advance"/>.</summary>
    public T Value => _window.Value;

    /// <summary>
    /// Whether the window emits (a value, or nothing when it holds no record) when it takes in the batch in progress
    /// as batch <paramref name="batch"/>: what decides which batches the sinks below the window receive.
    /// </summary>
    public bool EmitsAt(long batch, bool endOfInput = false) => Clock.Emits(batch, Current.HasValue, endOfInput);

    /// <summary>
    /// Takes in the batch in progress as batch <paramref name="batch"/>, and returns whether the window emits a value
    /// now (<see cref="Value"/>): at a multiple of the slide, or at the end of a bounded input
    /// (<paramref name="endOfInput"/>) when the window holds records not reported yet, and only if the window holds a
    /// record (an empty window emits nothing).
    /// </summary>
    public bool Advance(long batch, bool endOfInput = false)
    {
        for (long skipped = Begin(batch); skipped > 0; skipped--)
        {
            PartOf(batch - skipped).Clear();
        }

        Partial<T> entering = Rotate(batch, out Partial<T> leaving);
        leaving.Clear();
        if (!End(entering.HasValue, endOfInput))
        {
            return false;
        }

        TReduce reduce = default;
        _window.Clear();
        for (long from = batch - Clock.Length + 1; from <= batch; from++)
        {
            Partial<T> part = PartOf(from);
            if (part.HasValue)
            {
                _window.Value = _window.HasValue ? reduce.Reduce(_window.Value, part.Value) : part.Value;
                _window.HasValue = true;
            }
        }

        return _window.HasValue;
    }
}

/// <summary>
/// A window over a stream that is not keyed, kept up to date with an inverse function (<c>[CountByWindow]</c>, and
/// <c>[ReduceByWindow]</c> with <c>Inverse</c>): at each batch the batch that enters is reduced into the window's
/// value and the batch that leaves is taken back out. As in Spark, once a first record came, it emits at every slide,
/// even when the window is empty again.
/// </summary>
/// <remarks>
/// The state is the clock, the ring of partials and the partial in progress (see <see cref="BatchWindow{TPart}"/>),
/// and the window's value (<see cref="Window"/>). A checkpoint captures <see cref="BatchWindow{TPart}.Clock"/>, the
/// parts that have a value (<see cref="BatchWindow{TPart}.Parts"/>) and <see cref="Window"/> between batches; a new
/// window given them with <see cref="BatchWindow{TPart}.Restore"/>, <see cref="Put"/> and <see cref="PutWindow"/>
/// emits what the captured one would have.
/// </remarks>
/// <typeparam name="T">The reduced type.</typeparam>
/// <typeparam name="TReduce">The reduce, as a struct so that the user's method is called directly.</typeparam>
/// <typeparam name="TInverse">The inverse of the reduce.</typeparam>
public sealed class IncrementalPartialWindow<T, TReduce, TInverse> : BatchWindow<Partial<T>>
    where TReduce : struct, IReducer<T>
    where TInverse : struct, IReducer<T>
{
    private readonly Partial<T> _window = new();

    /// <summary>Creates a window <paramref name="length"/> batches long that emits every <paramref name="slide"/> batches.</summary>
    public IncrementalPartialWindow(int length, int slide)
        : base(new WindowClock(length, slide), Windowing.Ring<Partial<T>>(length), new())
    {
    }

    /// <summary>
    /// While restoring (after <see cref="BatchWindow{TPart}.Restore"/>): puts back the partial value of batch
    /// <paramref name="batch"/>, as <see cref="BatchWindow{TPart}.Parts"/> listed it (only parts that have a value).
    /// </summary>
    public void Put(long batch, T value)
    {
        Partial<T> part = PartToRestore(batch);
        part.Value = value;
        part.HasValue = true;
    }

    /// <summary>
    /// While restoring (after <see cref="BatchWindow{TPart}.Restore"/>): puts back the window's value, as
    /// <see cref="Window"/> held it when it had one (once a first record came, it has one for good).
    /// </summary>
    /// <exception cref="InvalidOperationException">The window is not being restored.</exception>
    public void PutWindow(T value)
    {
        RequireRestoring("value");

        _window.Value = value;
        _window.HasValue = true;
    }

    /// <summary>
    /// Writes the whole state into a checkpoint section, between batches: the clock, each part, oldest first, then the
    /// window's value (each a varint 0 without a value, else 1 and the value through <see cref="CheckpointValues{T}"/>).
    /// </summary>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        WriteClock(ref section);
        foreach (Partial<T> part in Parts)
        {
            part.WriteCheckpoint(ref section);
        }

        _window.WriteCheckpoint(ref section);
    }

    /// <summary>
    /// Restores what <see cref="WriteCheckpoint"/> wrote into this new window of the same length and slide, which then
    /// emits what the written one would have. A malformed section throws and leaves the window new.
    /// </summary>
    /// <exception cref="InvalidOperationException">The window has taken in a batch or been restored.</exception>
    /// <exception cref="CheckpointCorruptException">The section is malformed or of a window of another length or slide.</exception>
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        WindowClock clock = ReadClock(ref section);
        var parts = new Partial<T>[PartCount(clock)];
        for (int index = 0; index < parts.Length; index++)
        {
            parts[index] = Partial<T>.ReadCheckpoint(ref section);
        }

        Partial<T> window = Partial<T>.ReadCheckpoint(ref section);
        RestoreParts(clock, parts);
        _window.Value = window.Value;
        _window.HasValue = window.HasValue;
    }

    /// <summary>The window's value: every record that entered reduced, every batch that left taken back out.</summary>
    public Partial<T> Window => _window;

    /// <summary>The window's value, after <see cref="Advance"/> returned <see langword="true"/>.</summary>
    public T Value => _window.Value;

    /// <summary>
    /// Whether the window emits (a value, or nothing when it holds no record) when it takes in the batch in progress
    /// as batch <paramref name="batch"/>: what decides which batches the sinks below the window receive.
    /// </summary>
    public bool EmitsAt(long batch, bool endOfInput = false) => Clock.Emits(batch, Current.HasValue, endOfInput);

    /// <summary>
    /// Takes in the batch in progress as batch <paramref name="batch"/>, and returns whether the window emits a value
    /// now (<see cref="Value"/>): at a multiple of the slide, or at the end of a bounded input
    /// (<paramref name="endOfInput"/>) when the window holds records not reported yet, once a first record came.
    /// </summary>
    public bool Advance(long batch, bool endOfInput = false)
    {
        TInverse inverse = default;
        for (long skipped = Begin(batch); skipped > 0; skipped--)
        {
            Partial<T> skippedPart = PartOf(batch - skipped);
            if (skippedPart.HasValue)
            {
                _window.Value = inverse.Reduce(_window.Value, skippedPart.Value);
                skippedPart.Clear();
            }
        }

        Partial<T> entering = Rotate(batch, out Partial<T> leaving);
        if (entering.HasValue)
        {
            TReduce reduce = default;
            _window.Value = _window.HasValue ? reduce.Reduce(_window.Value, entering.Value) : entering.Value;
            _window.HasValue = true;
        }

        if (leaving.HasValue)
        {
            _window.Value = inverse.Reduce(_window.Value, leaving.Value);
            leaving.Clear();
        }

        return End(entering.HasValue, endOfInput) && _window.HasValue;
    }
}
