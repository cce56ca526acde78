namespace Compiled.PostgreSQL.Tests;

/// <summary>
/// How the <c>postgres</c> sink stages a batch, against a real server: one row per key (the last record of a key wins,
/// without a sort on the server), and staging columns of the table's types where the binary COPY carries them.
/// </summary>
public sealed class PostgresSinkStagingTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task RepeatedKeys_ManyInOneBatch_LastValueOfEachKeyWins()
    {
        string database = await postgres.NewDatabaseAsync();
        // 5,000 records over 700 keys: more keys than the buffer's first key index holds, so it grows mid-batch.
        string[] records = [.. Enumerable.Range(0, 5000).Select(i => $"(k{i % 700},{i})")];
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "t", "valueType=bigint")))
        {
            await sink.WriteBatchAsync(1000, records);
        }

        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < 5000; i++)
        {
            expected[$"k{i % 700}"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(700, expected.Count);
        Assert.Equal(expected, await PostgresSinkDriver.ReadTableAsync(postgres.Server.ConnectionString(database), "t"));
    }

    [Fact]
    public async Task TypedRecords_KeyValueLongAndInt_StoredAsTheirTextWouldBe()
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "numbers", "valueType=bigint&job=n")))
        {
            sink.BeginBatch(1000);
            ((Compiled.Sinks.IRecordWriter<KeyValue<long>>)sink).Write(new KeyValue<long>("big"u8, long.MinValue));
            ((Compiled.Sinks.IRecordWriter<KeyValue<int>>)sink).Write(new KeyValue<int>("small"u8, -7));
            sink.Write("(big,3)"u8);
            ((Compiled.Sinks.IRecordWriter<KeyValue<long>>)sink).Write(new KeyValue<long>("text"u8, 12));
            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
        }

        // Into a text column the numbers go as their decimal text.
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "texts", "job=t")))
        {
            sink.BeginBatch(1000);
            ((Compiled.Sinks.IRecordWriter<KeyValue<long>>)sink).Write(new KeyValue<long>("big"u8, long.MaxValue));
            ((Compiled.Sinks.IRecordWriter<KeyValue<int>>)sink).Write(new KeyValue<int>("small"u8, int.MinValue));
            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(new SortedDictionary<string, string> { ["big"] = "3", ["small"] = "-7", ["text"] = "12" },
            await PostgresSinkDriver.ReadTableAsync(connection, "numbers"));
        Assert.Equal(new SortedDictionary<string, string> { ["big"] = "9223372036854775807", ["small"] = "-2147483648" },
            await PostgresSinkDriver.ReadTableAsync(connection, "texts"));
    }

    [Fact]
    public async Task IntegerColumns_ValuesSentAsNumbers_StoredExactly()
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await PostgresSinkDriver.ExecuteAsync(connection, "CREATE TABLE i (key text PRIMARY KEY, value integer); CREATE TABLE s (key text PRIMARY KEY, value smallint)");
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "i", "job=i")))
        {
            // As the server's own input takes them: a sign, white space around the digits.
            await sink.WriteBatchAsync(1000, "(least,-2147483648)", "(most,2147483647)", "(spaced, +17 )");
        }

        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "s", "job=s")))
        {
            await sink.WriteBatchAsync(1000, "(least,-32768)", "(most,32767)");
        }

        Assert.Equal(new SortedDictionary<string, string> { ["least"] = "-2147483648", ["most"] = "2147483647", ["spaced"] = "17" },
            await PostgresSinkDriver.ReadTableAsync(connection, "i"));
        Assert.Equal(new SortedDictionary<string, string> { ["least"] = "-32768", ["most"] = "32767" },
            await PostgresSinkDriver.ReadTableAsync(connection, "s"));
    }

    [Fact]
    public async Task IntegerColumn_ValueOutOfRange_FailsNamingValueKeyAndColumn_WritesNothing()
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await PostgresSinkDriver.ExecuteAsync(connection, "CREATE TABLE i (key text PRIMARY KEY, value integer)");
        await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "i"));

        var error = await Assert.ThrowsAsync<FormatException>(() => sink.WriteBatchAsync(1000, "(fine,1)", "(big,2147483648)"));

        Assert.Contains("'2147483648' of key 'big'", error.Message, StringComparison.Ordinal);
        Assert.Contains("column value (integer) of table i", error.Message, StringComparison.Ordinal);
        Assert.Contains("bigint", error.Message, StringComparison.Ordinal);
        Assert.Empty(await PostgresSinkDriver.ReadTableAsync(connection, "i"));
        Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM compiled_batches"));
    }

    [Fact]
    public async Task OtherTypes_IntegerKeyAndNumericValue_CastFromTheirText()
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await PostgresSinkDriver.ExecuteAsync(connection, "CREATE TABLE prices (id integer PRIMARY KEY, amount numeric(10,2))");
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(
            postgres.Server.SinkUri(database, "prices", "keyColumn=id&valueColumn=amount&createTable=false")))
        {
            await sink.WriteBatchAsync(1000, "(7,12.5)", "(8,0.125)");
        }

        Assert.Equal(new SortedDictionary<string, string> { ["7"] = "12.50", ["8"] = "0.13" },
            await PostgresSinkDriver.ReadTableAsync(connection, "prices", "id", "amount"));
    }

    [Fact]
    public async Task CharacterColumn_ValueTooLong_RefusedNotCut()
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await PostgresSinkDriver.ExecuteAsync(connection, "CREATE TABLE codes (key text PRIMARY KEY, value varchar(3))");
        await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "codes"));

        await sink.WriteBatchAsync(1000, "(a,abc)");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteBatchAsync(2000, "(b,abcdef)"));

        Assert.Contains("22001", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not fit its column's type", error.Message, StringComparison.Ordinal);
        Assert.Equal(new SortedDictionary<string, string> { ["a"] = "abc" }, await PostgresSinkDriver.ReadTableAsync(connection, "codes"));
    }

    [Fact]
    public async Task ByteaKey_KeyBytesStoredAsTheyAre()
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await PostgresSinkDriver.ExecuteAsync(connection, "CREATE TABLE b (key bytea PRIMARY KEY, value bigint)");
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "b", "createTable=false")))
        {
            await sink.WriteBatchAsync(1000, "(k1,5)", "(é,6)");
        }

        Assert.Equal(new SortedDictionary<string, string> { ["\\x6b31"] = "5", ["\\xc3a9"] = "6" }, await PostgresSinkDriver.ReadTableAsync(connection, "b"));
    }

    [Fact]
    public async Task TextKey_NotUtf8_RefusedByTheServer()
    {
        string database = await postgres.NewDatabaseAsync();
        await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "t"));
        sink.BeginBatch(1000);
        sink.Write([(byte)'(', 0xff, 0xfe, (byte)',', (byte)'1', (byte)')']);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.CommitBatchAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("22021", error.Message, StringComparison.Ordinal);
        Assert.Contains("emit UTF-8 text, or make the column bytea", error.Message, StringComparison.Ordinal);
    }
}
