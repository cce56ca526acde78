using Compiled.Connectors;
using Compiled.Hosting;
using Compiled.Sinks;
using Microsoft.Extensions.Time.Testing;
using global::Parquet;
using global::Parquet.Schema;

namespace Compiled.Parquet.Tests;

/// <summary>A fresh directory under the system's temporary directory, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("compiled-parquet-").FullName;
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> and returns its full path.</summary>
    public string Write(string name, string text)
    {
        string path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="name"/> and returns its full path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string path = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Every file in <paramref name="directory"/> (relative), hidden ones too, in ordinal order.</summary>
    public string[] Files(string directory) =>
        Directory.Exists(System.IO.Path.Combine(Path, directory))
            ? [.. Directory.GetFiles(System.IO.Path.Combine(Path, directory)).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal)!]
            : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open in a failed test must not hide that test's own failure.
        }
    }
}

/// <summary>Runs pipelines to a sink URI, and reads Parquet files back with Parquet.Net.</summary>
internal static class ParquetTest
{
    /// <summary>Runs <paramref name="definition"/> over the file <paramref name="input"/> with its sink bound to <paramref name="sinkUri"/>, to the end of the input.</summary>
    public static async Task RunAsync(PipelineDefinition definition, string source, string input, string sink, string sinkUri)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris[source] = $"file://{input}";
        options.SinkUris[sink] = sinkUri;
        await using var run = new PipelineRun(definition, options);
        await run.RunToEndAsync(clock);
    }

    /// <summary>Creates a parquet sink for <paramref name="uri"/> through its factory, as the run does.</summary>
    public static ParquetSink CreateSink(string uri, string? checkpoint = null)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "sink");
        Sink sink = ParquetSinkFactory.Create(parsed, new SinkContext { CheckpointDirectory = checkpoint, SinkName = "Output" });
        parsed.ThrowIfUnknownOptions();
        return Assert.IsType<ParquetSink>(sink);
    }

    /// <summary>The rows of a Parquet file, one dictionary of column name to value per row, every row group in order.</summary>
    public static async Task<(ParquetSchema Schema, int RowGroups, List<Dictionary<string, object?>> Rows)> ReadAsync(string path)
    {
        await using ParquetReader reader = await ParquetReader.CreateAsync(path, null, TestContext.Current.CancellationToken);
        var rows = new List<Dictionary<string, object?>>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            ParquetRowGroupReader group = reader.OpenRowGroupReader(g);
            int count = checked((int)group.RowCount);
            var groupRows = Enumerable.Range(0, count).Select(_ => new Dictionary<string, object?>(StringComparer.Ordinal)).ToList();
            foreach (DataField field in reader.Schema.GetDataFields())
            {
                object?[] values = await ReadColumnAsync(group, field, count);
                for (int i = 0; i < count; i++)
                {
                    groupRows[i][field.Name] = values[i];
                }
            }

            rows.AddRange(groupRows);
        }

        return (reader.Schema, reader.RowGroupCount, rows);
    }

    private static async Task<object?[]> ReadColumnAsync(ParquetRowGroupReader group, DataField field, int count)
    {
        CancellationToken token = TestContext.Current.CancellationToken;
        Type type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var text = new string?[count];
            await group.ReadAsync(field, text.AsMemory(), null, token);
            return text;
        }

        return type switch
        {
            _ when type == typeof(int) => await Typed<int>(),
            _ when type == typeof(long) => await Typed<long>(),
            _ when type == typeof(double) => await Typed<double>(),
            _ when type == typeof(decimal) => await Typed<decimal>(),
            _ when type == typeof(DateTime) => await Typed<DateTime>(),
            _ when type == typeof(bool) => await Typed<bool>(),
            _ when type == typeof(Guid) => await Typed<Guid>(),
            _ => throw new NotSupportedException($"the test reader does not read {type}"),
        };

        async Task<object?[]> Typed<T>()
            where T : struct
        {
            if (!field.IsNullable)
            {
                var required = new T[count];
                await group.ReadAsync(field, required.AsMemory(), null, token);
                return required.Select(v => (object?)v).ToArray();
            }

            var values = new T?[count];
            await group.ReadAsync(field, values.AsMemory(), null, token);
            return values.Select(v => (object?)v).ToArray();
        }
    }
}
