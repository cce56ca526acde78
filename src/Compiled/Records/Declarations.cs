namespace Compiled;

/// <summary>What a pipeline declares about one of its sources: its name, default URI and record format.</summary>
public abstract class SourceDeclaration
{
    /// <summary>Creates a declaration.</summary>
    protected SourceDeclaration(string name, string? defaultUri)
    {
        Name = name;
        DefaultUri = defaultUri;
    }

    /// <summary>The source's name: the name of the method that declares it.</summary>
    public string Name { get; }

    /// <summary>The URI read when none is bound at run time, or <see langword="null"/> if one must be.</summary>
    public string? DefaultUri { get; }

    /// <summary>How the source's bytes are cut into records, in a word: <c>lines</c>.</summary>
    public abstract string Format { get; }
}

/// <summary>
/// A source of newline-delimited records: each record is the bytes of one line, without its <c>\n</c> or
/// <c>\r\n</c>. The record type its stages see is <see cref="ReadOnlySpan{T}"/> of <see cref="byte"/>.
/// </summary>
public sealed class Lines : SourceDeclaration
{
    /// <summary>Creates the declaration (the generator does this for a <c>[Source]</c> method).</summary>
    public Lines(string name, string? defaultUri)
        : base(name, defaultUri)
    {
    }

    /// <inheritdoc />
    public override string Format => "lines";
}

/// <summary>
/// A source of newline-delimited records, each line parsed as a <typeparamref name="T"/>: a number or any
/// other <see cref="IUtf8SpanParsable{TSelf}"/> type (in the invariant culture), a <see cref="DateTime"/> or
/// <see cref="DateTimeOffset"/> (ISO 8601: <see cref="Utf8Parse.TryParse(ReadOnlySpan{byte}, out DateTime)"/>), a
/// <see cref="string"/> (the line decoded as UTF-8), or a tuple of those whose fields are separated by commas
/// (<c>a,1</c>). A line that does not parse is skipped and counted as malformed (per field and reason), and each batch
/// that skips one says so in the log, unless <c>[Source(OnBadRecord = ...)]</c> or the source URI's <c>onBadRecord</c>
/// says to fail or to keep it as a dead letter.
/// </summary>
/// <typeparam name="T">The record type the source's stages see.</typeparam>
public sealed class Lines<T> : SourceDeclaration
{
    private readonly string _format;

    /// <summary>Creates the declaration (the generator does this for a <c>[Source]</c> method).</summary>
    /// <param name="name">The source's name.</param>
    /// <param name="defaultUri">Its default URI, or <see langword="null"/>.</param>
    /// <param name="recordType">The record type as written, for --help: <c>int</c>, <c>(string, long)</c>.</param>
    public Lines(string name, string? defaultUri, string recordType)
        : base(name, defaultUri)
    {
        _format = "lines of " + recordType;
    }

    /// <inheritdoc />
    public override string Format => _format;
}

/// <summary>What a pipeline declares about one of its sinks.</summary>
public sealed class SinkDeclaration
{
    /// <summary>Creates a declaration (the generator does this for a <c>[Sink]</c> method).</summary>
    /// <param name="name">The sink's name.</param>
    /// <param name="defaultUri">Its default URI, or <see langword="null"/>.</param>
    /// <param name="record">Its parameters as written, for --help.</param>
    /// <param name="slideMilliseconds">For a sink of a windowed stream, the window's slide: the sink receives a batch only every slide. <see langword="null"/> for every batch.</param>
    public SinkDeclaration(string name, string? defaultUri, string record, long? slideMilliseconds = null)
    {
        Name = name;
        DefaultUri = defaultUri;
        Record = record;
        SlideMilliseconds = slideMilliseconds;
    }

    /// <summary>
    /// For a sink of a windowed stream, how often it receives a batch; <see langword="null"/> for every batch. The job
    /// decides which batches that is (<see cref="Hosting.PipelineJob.ReceivesBatch"/>).
    /// </summary>
    public long? SlideMilliseconds { get; }

    /// <summary>The sink's name: the name of the method that declares it.</summary>
    public string Name { get; }

    /// <summary>The URI written when none is bound at run time, or <see langword="null"/> if one must be.</summary>
    public string? DefaultUri { get; }

    /// <summary>The record the sink receives, as the method's parameter list: <c>(ReadOnlySpan&lt;byte&gt; word, long count)</c>.</summary>
    public string Record { get; }
}
