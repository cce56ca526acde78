using System.Runtime.CompilerServices;

namespace Compiled.Checkpoints;

/// <summary>
/// Registers the value and state types that write themselves into a checkpoint (<see cref="ICheckpointValue{TSelf}"/>),
/// for <see cref="CheckpointValues{T}"/> to use. A generated job calls <see cref="Register{T}()"/> in its constructor for
/// each such type its cross-batch stages keep.
/// </summary>
public static class CheckpointValues
{
    private static readonly Lock s_lock = new();
    private static readonly Dictionary<Type, IBoxedCodec> s_registered = [];

    /// <summary>
    /// Makes <see cref="CheckpointValues{T}"/> write and read <typeparamref name="T"/> (and, for a struct, its
    /// <see cref="Nullable{T}"/>) through <see cref="ICheckpointValue{TSelf}"/>, even when it has no references.
    /// Calling it again does nothing; it is safe to call from several threads.
    /// </summary>
    /// <typeparam name="T">The type that writes itself.</typeparam>
    public static void Register<T>()
        where T : ICheckpointValue<T>
    {
        if (CheckpointValues<T>.Codec is RegisteredCodec<T>)
        {
            return;
        }

        lock (s_lock)
        {
            if (CheckpointValues<T>.Codec is RegisteredCodec<T>)
            {
                return;
            }

            var codec = new RegisteredCodec<T>();
            s_registered[typeof(T)] = codec;
            CheckpointValues<T>.Codec = codec;
        }
    }

    /// <summary>
    /// Makes <see cref="CheckpointValues{T}"/> write and read <typeparamref name="T"/> (and, for a struct, its
    /// <see cref="Nullable{T}"/>) through <paramref name="write"/> and <paramref name="read"/>: how a generated job writes
    /// a tuple or struct member by member (a string, a number, a key's <see cref="Utf8Text"/>, each through
    /// <see cref="CheckpointValues{T}"/> of its type), since it cannot give a tuple its own
    /// <see cref="ICheckpointValue{TSelf}"/>. The delegates run when a checkpoint is written or read, never per record.
    /// The first registration of a type holds; calling it again does nothing. It is safe to call from several threads.
    /// </summary>
    /// <typeparam name="T">The type written member by member.</typeparam>
    /// <param name="write">Writes a value's members in order.</param>
    /// <param name="read">Reads them back in the same order.</param>
    public static void Register<T>(CheckpointValueWriter<T> write, CheckpointValueReader<T> read)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(read);
        if (CheckpointValues<T>.Codec is MemberwiseCodec<T>)
        {
            return;
        }

        lock (s_lock)
        {
            if (CheckpointValues<T>.Codec is MemberwiseCodec<T>)
            {
                return;
            }

            var codec = new MemberwiseCodec<T>(write, read);
            s_registered[typeof(T)] = codec;
            CheckpointValues<T>.Codec = codec;
        }
    }

    /// <summary>The codec registered for <paramref name="type"/>, if any (for a nullable of it).</summary>
    internal static IBoxedCodec? Find(Type type)
    {
        lock (s_lock)
        {
            return s_registered.GetValueOrDefault(type);
        }
    }
}

/// <summary>
/// Writes and reads one value of type <typeparamref name="T"/> in a checkpoint section, the way every runtime type
/// that keeps state across batches writes its keys, values and states: a type without references
/// (<see cref="RuntimeHelpers.IsReferenceOrContainsReferences{T}"/> false: numbers, unmanaged structs, their
/// nullables) as its in-memory bytes, with nothing around them; a type registered with
/// <see cref="CheckpointValues.Register{T}()"/> through its own <see cref="ICheckpointValue{TSelf}"/> (a reference type
/// preceded by one byte that says whether it is null); a nullable of a registered struct as one byte that says whether
/// it has a value, then the value. Any other type cannot be written: <see cref="CanWrite"/> is false, and
/// <see cref="Write"/> and <see cref="Read"/> throw <see cref="NotSupportedException"/> saying how to fix it.
/// </summary>
/// <remarks>
/// No reflection is used to call a codec (Native AOT keeps nothing alive by name): a registered type is called through
/// a constrained generic. Writing a value of a type without references is a few unaligned loads and allocates nothing;
/// writing a nullable of a registered struct boxes the value (checkpoint time only, never per record).
/// </remarks>
/// <typeparam name="T">The value's type.</typeparam>
public static class CheckpointValues<T>
{
    private static readonly bool s_asBytes = !RuntimeHelpers.IsReferenceOrContainsReferences<T>();

    // A string is written as UTF-8 without registration: the one reference type every pipeline may keep as it is; and
    // a Utf8Text (a key table's own copy) as its bytes.
    private static ValueCodec<T>? s_codec =
        typeof(T) == typeof(string) ? (ValueCodec<T>)(object)new StringCodec()
        : typeof(T) == typeof(Utf8Text) ? (ValueCodec<T>)(object)new Utf8TextCodec()
        : null;

    /// <summary>The codec in use, null for a type written as its bytes (or not writable).</summary>
    internal static ValueCodec<T>? Codec
    {
        get => Volatile.Read(ref s_codec);
        set => Volatile.Write(ref s_codec, value);
    }

    /// <summary>Whether a checkpoint can write <typeparamref name="T"/>: it has no references, is a string, or has a registered codec.</summary>
    public static bool CanWrite => s_asBytes || Resolve() is not null;

    /// <summary>Writes <paramref name="value"/> into <paramref name="section"/>.</summary>
    /// <exception cref="NotSupportedException">A checkpoint cannot write <typeparamref name="T"/> (see <see cref="CanWrite"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(in T value, ref CheckpointWriter.Section section)
    {
        ValueCodec<T>? codec = s_codec;
        if (codec is not null)
        {
            codec.Write(in value, ref section);
        }
        else if (s_asBytes)
        {
            WriteBytes(in value, ref section, asKey: false);
        }
        else
        {
            Required().Write(in value, ref section);
        }
    }

    /// <summary>Reads a value that <see cref="Write"/> wrote from <paramref name="section"/>.</summary>
    /// <exception cref="NotSupportedException">A checkpoint cannot read <typeparamref name="T"/> (see <see cref="CanWrite"/>).</exception>
    /// <exception cref="CheckpointCorruptException">The section ends before the value.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read(ref CheckpointReader.Section section)
    {
        ValueCodec<T>? codec = s_codec;
        if (codec is not null)
        {
            return codec.Read(ref section);
        }

        return s_asBytes ? ReadBytes(ref section) : Required().Read(ref section);
    }

    /// <summary>
    /// Writes <paramref name="key"/> as the key of a keyed entry (<see cref="CheckpointWriter.Section.WriteKey{TKey}"/>
    /// counts the entry): a type without references as its bytes, exactly as <c>WriteKey</c> writes an unmanaged key; a
    /// registered type as an empty byte key (which counts the entry) followed by the value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteKey(in T key, ref CheckpointWriter.Section section)
    {
        ValueCodec<T>? codec = s_codec;
        if (codec is null && s_asBytes)
        {
            WriteBytes(in key, ref section, asKey: true);
            return;
        }

        section.WriteKey(ReadOnlySpan<byte>.Empty);
        Write(in key, ref section);
    }

    /// <summary>Reads a key that <see cref="WriteKey"/> wrote.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ReadKey(ref CheckpointReader.Section section)
    {
        ValueCodec<T>? codec = s_codec;
        if (codec is null && s_asBytes)
        {
            return ReadBytes(ref section);
        }

        if (section.ReadKey().Length != 0)
        {
            throw section.Malformed($"has a key of type '{typeof(T)}' that was not written through its checkpoint codec");
        }

        return Read(ref section);
    }

    // The value's bytes in chunks of 8, 4, 2 and 1: the same bytes WriteUnmanaged<T> would write, for a T that the
    // compiler cannot prove unmanaged. A key's first chunk goes through WriteKey, which counts the entry.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteBytes(in T value, ref CheckpointWriter.Section section, bool asKey)
    {
        ref byte start = ref Unsafe.As<T, byte>(ref Unsafe.AsRef(in value));
        int size = Unsafe.SizeOf<T>();
        int offset = 0;
        if (asKey)
        {
            if (size >= 8)
            {
                section.WriteKey(Unsafe.ReadUnaligned<long>(ref start));
                offset = 8;
            }
            else if (size >= 4)
            {
                section.WriteKey(Unsafe.ReadUnaligned<int>(ref start));
                offset = 4;
            }
            else if (size >= 2)
            {
                section.WriteKey(Unsafe.ReadUnaligned<short>(ref start));
                offset = 2;
            }
            else
            {
                section.WriteKey(start);
                offset = 1;
            }
        }

        for (; size - offset >= 8; offset += 8)
        {
            section.WriteUnmanaged(Unsafe.ReadUnaligned<long>(ref Unsafe.Add(ref start, offset)));
        }

        if (size - offset >= 4)
        {
            section.WriteUnmanaged(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref start, offset)));
            offset += 4;
        }

        if (size - offset >= 2)
        {
            section.WriteUnmanaged(Unsafe.ReadUnaligned<short>(ref Unsafe.Add(ref start, offset)));
            offset += 2;
        }

        if (size - offset >= 1)
        {
            section.WriteUnmanaged(Unsafe.Add(ref start, offset));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ReadBytes(ref CheckpointReader.Section section)
    {
        T value = default!;
        ref byte start = ref Unsafe.As<T, byte>(ref value);
        int size = Unsafe.SizeOf<T>();
        int offset = 0;
        for (; size - offset >= 8; offset += 8)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, offset), section.ReadUnmanaged<long>());
        }

        if (size - offset >= 4)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, offset), section.ReadUnmanaged<int>());
            offset += 4;
        }

        if (size - offset >= 2)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, offset), section.ReadUnmanaged<short>());
            offset += 2;
        }

        if (size - offset >= 1)
        {
            Unsafe.Add(ref start, offset) = section.ReadUnmanaged<byte>();
        }

        return value;
    }

    // The codec of a type with references: registered, or a nullable of a registered struct (found once, then kept).
    private static ValueCodec<T>? Resolve()
    {
        ValueCodec<T>? codec = s_codec;
        if (codec is not null)
        {
            return codec;
        }

        Type? underlying = Nullable.GetUnderlyingType(typeof(T));
        IBoxedCodec? inner = underlying is null ? null : CheckpointValues.Find(underlying);
        if (inner is null)
        {
            return null;
        }

        Interlocked.CompareExchange(ref s_codec, new NullableCodec<T>(inner), null);
        return s_codec;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ValueCodec<T> Required() => Resolve() ?? throw new NotSupportedException(NotWritable());

    private static string NotWritable()
    {
        Type type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return $"A checkpoint cannot write a value of type '{type}': it holds references and has no checkpoint codec. " +
            $"Make it an unmanaged struct, or implement Compiled.Checkpoints.ICheckpointValue<{type.Name}> and call " +
            $"Compiled.Checkpoints.CheckpointValues.Register<{type.Name}>() before the checkpoint is written or read " +
            "(a generated job registers the types its stages keep).";
    }
}

/// <summary>Writes and reads values of one type (a registered type, or a nullable of one).</summary>
/// <typeparam name="T">The value's type.</typeparam>
internal abstract class ValueCodec<T>
{
    public abstract void Write(in T value, ref CheckpointWriter.Section section);

    public abstract T Read(ref CheckpointReader.Section section);
}

/// <summary>A registered codec seen as boxed values: what a nullable of a registered struct is written through.</summary>
internal interface IBoxedCodec
{
    void WriteBoxed(object value, ref CheckpointWriter.Section section);

    object ReadBoxed(ref CheckpointReader.Section section);
}

/// <summary>A type's own <see cref="ICheckpointValue{TSelf}"/>, called through a constrained generic.</summary>
internal sealed class RegisteredCodec<T> : ValueCodec<T>, IBoxedCodec
    where T : ICheckpointValue<T>
{
    public override void Write(in T value, ref CheckpointWriter.Section section)
    {
        if (!typeof(T).IsValueType)
        {
            if (value is null)
            {
                section.WriteCount(0);
                return;
            }

            section.WriteCount(1);
        }

        T.WriteTo(in value, ref section);
    }

    public override T Read(ref CheckpointReader.Section section)
    {
        if (!typeof(T).IsValueType)
        {
            switch (section.ReadCount())
            {
                case 0:
                    return default!;
                case 1:
                    break;
                default:
                    throw section.Malformed($"has a value of type '{typeof(T)}' whose null flag is neither 0 nor 1");
            }
        }

        return T.ReadFrom(ref section);
    }

    public void WriteBoxed(object value, ref CheckpointWriter.Section section) => T.WriteTo((T)value, ref section);

    public object ReadBoxed(ref CheckpointReader.Section section) => T.ReadFrom(ref section);
}

/// <summary>A nullable of a registered struct: a byte that says whether it has a value, then the value.</summary>
internal sealed class NullableCodec<T>(IBoxedCodec inner) : ValueCodec<T>
{
    public override void Write(in T value, ref CheckpointWriter.Section section)
    {
        // Boxing a nullable gives null or the boxed underlying value.
        object? boxed = value;
        if (boxed is null)
        {
            section.WriteCount(0);
            return;
        }

        section.WriteCount(1);
        inner.WriteBoxed(boxed, ref section);
    }

    public override T Read(ref CheckpointReader.Section section) => section.ReadCount() switch
    {
        0 => default!,
        1 => (T)inner.ReadBoxed(ref section),
        _ => throw section.Malformed($"has a value of type '{typeof(T)}' whose has-value flag is neither 0 nor 1"),
    };
}

/// <summary>A string: a byte that says whether it is null, then its UTF-8.</summary>
internal sealed class StringCodec : ValueCodec<string>
{
    public override void Write(in string value, ref CheckpointWriter.Section section)
    {
        if (value is null)
        {
            section.WriteCount(0);
            return;
        }

        section.WriteCount(1);
        section.WriteString(value);
    }

    public override string Read(ref CheckpointReader.Section section) => section.ReadCount() switch
    {
        0 => null!,
        1 => section.ReadString(),
        _ => throw section.Malformed("has a string whose null flag is neither 0 nor 1"),
    };
}

/// <summary>A type written member by member by the delegates a generated job registers.</summary>
internal sealed class MemberwiseCodec<T>(CheckpointValueWriter<T> write, CheckpointValueReader<T> read) : ValueCodec<T>, IBoxedCodec
{
    public override void Write(in T value, ref CheckpointWriter.Section section) => write(in value, ref section);

    public override T Read(ref CheckpointReader.Section section) => read(ref section);

    public void WriteBoxed(object value, ref CheckpointWriter.Section section) => write((T)value, ref section);

    public object ReadBoxed(ref CheckpointReader.Section section) => read(ref section)!;
}

/// <summary>Writes <paramref name="value"/>'s members into <paramref name="section"/> (<see cref="CheckpointValues.Register{T}(CheckpointValueWriter{T}, CheckpointValueReader{T})"/>).</summary>
/// <typeparam name="T">The value's type.</typeparam>
public delegate void CheckpointValueWriter<T>(in T value, ref CheckpointWriter.Section section);

/// <summary>Reads a value that the matching <see cref="CheckpointValueWriter{T}"/> wrote from <paramref name="section"/>.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public delegate T CheckpointValueReader<T>(ref CheckpointReader.Section section);

/// <summary>A <see cref="Utf8Text"/>: its bytes, read back as text of its own.</summary>
internal sealed class Utf8TextCodec : ValueCodec<Utf8Text>
{
    public override void Write(in Utf8Text value, ref CheckpointWriter.Section section) => section.WriteBytes(value.Span);

    public override Utf8Text Read(ref CheckpointReader.Section section) => new(section.ReadBytes());
}
