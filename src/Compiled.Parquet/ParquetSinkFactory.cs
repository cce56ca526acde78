using Compiled.Connectors;
using Compiled.Parquet;
using Compiled.Sinks;

// A project that references Compiled.Parquet may write Default = "parquet:///out/trades" and --sink parquet://...
[assembly: SinkConnector("parquet", typeof(ParquetSinkFactory), Usage = ParquetSinkFactory.Usage)]

namespace Compiled.Parquet;

/// <summary>Creates the <c>parquet://</c> sinks; declared to the generator by this assembly's <see cref="SinkConnectorAttribute"/>.</summary>
public sealed class ParquetSinkFactory : ISinkFactory
{
    /// <summary>The URI form the unknown-scheme message shows.</summary>
    public const string Usage = "parquet:///dir/prefix?batchesPerFile=1&compression=snappy";

    /// <summary>Checks the URI and the directory and creates the sink; it writes nothing until its first batch.</summary>
    public static Sink Create(ConnectorUri uri, SinkContext context) => new ParquetSink(uri, context);
}

/// <summary>The codec of a Parquet sink's column chunks (<c>compression</c>), named as Spark names them.</summary>
public enum ParquetCompression
{
    /// <summary>Snappy, Spark's default: fast, and read by every Parquet reader.</summary>
    Snappy,

    /// <summary>No compression.</summary>
    None,

    /// <summary>No compression (Spark's other name for <see cref="None"/>).</summary>
    Uncompressed,

    /// <summary>Gzip: smaller files, slower to write.</summary>
    Gzip,

    /// <summary>Zstandard: about Gzip's size at about Snappy's speed.</summary>
    Zstd,
}
