using System.Text;
using System.Text.Json;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Hosting;
using Compiled.PostgreSQL.ChangeDataCapture;
using static Compiled.PostgreSQL.Tests.ChangeDataCapture.ChangeCaptureTestKit;

namespace Compiled.PostgreSQL.Tests.ChangeDataCapture;

/// <summary>
/// The compiled <see cref="CapturedChanges"/> pipeline reading a real PostgreSQL server's changes through
/// <c>--source postgres://...?publication=P&amp;slot=S</c>: inserts, updates, deletes and truncates arrive in commit
/// order, each as the JSON object the source documents, checked against what was done through Npgsql.
/// </summary>
public sealed class PostgresChangeSourceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task InsertsUpdatesDeletesAndTruncates_ArriveInCommitOrder_AsDocumentedJson_AndAreConfirmedOnceCommitted()
    {
        using var temp = new ScratchDirectory();
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await ExecuteAsync(connection,
            "CREATE TABLE orders (id int PRIMARY KEY, qty int NOT NULL, note text)",
            "CREATE TABLE audit (id int, line text)",
            "ALTER TABLE audit REPLICA IDENTITY FULL");

        // The source creates the publication and the slot: a new slot captures what happens once it exists.
        string source = SourceUri(postgres.Server, database, "createPublication=orders,public.audit");
        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(CapturedChanges.Definition, Options(source, temp.Combine("out"), checkpoint: null));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        await WaitForStreamingAsync(connection, database);

        await ExecuteAsync(connection,
            "INSERT INTO orders VALUES (1, 5, 'first'), (2, 3, NULL)",
            "UPDATE orders SET qty = 4 WHERE id = 2",
            "UPDATE orders SET id = 20 WHERE id = 2",
            "DELETE FROM orders WHERE id = 1",
            "INSERT INTO audit VALUES (1, 'a \"quoted\" ünï')",
            "UPDATE audit SET line = 'b'",
            "DELETE FROM audit",
            "TRUNCATE orders");
        string[] expected =
        [
            """insert public.orders {"id":"1"} {"id":"1","qty":"5","note":"first"} null""",
            """insert public.orders {"id":"2"} {"id":"2","qty":"3","note":null} null""",
            """update public.orders {"id":"2"} {"id":"2","qty":"4","note":null} null""",
            """update public.orders {"id":"20"} {"id":"20","qty":"4","note":null} {"id":"2"}""",
            """delete public.orders {"id":"1"} null {"id":"1"}""",
            """insert public.audit {"id":"1","line":"a \"quoted\" ünï"} {"id":"1","line":"a \"quoted\" ünï"} null""",
            """update public.audit {"id":"1","line":"b"} {"id":"1","line":"b"} {"id":"1","line":"a \"quoted\" ünï"}""",
            """delete public.audit {"id":"1","line":"b"} null {"id":"1","line":"b"}""",
            """truncate public.orders null null null""",
        ];

        await WaitUntil(() => ReadOutput(temp.Combine("out")).Count >= expected.Length, "every change written");
        List<JsonElement> changes = ReadOutput(temp.Combine("out"));
        Assert.Equal(expected, changes.Select(Shape));

        // The two inserts are one transaction; every later statement commits after the one before, and each change's
        // own LSN is at or before its commit's.
        var places = changes.Select(Place).ToList();
        Assert.Equal(places[0].Commit, places[1].Commit);
        for (int i = 2; i < places.Count; i++)
        {
            Assert.True(places[i].Commit > places[i - 1].Commit, $"change {i} commits after change {i - 1}");
        }

        Assert.All(places, place => Assert.True(place.Change <= place.Commit));
        Assert.All(changes, change => Assert.EndsWith("Z", change.GetProperty("commitTime").GetString()));

        // Without a checkpoint a change is confirmed to the slot once the batch that holds it committed.
        await WaitUntilAsync(async () => await ConfirmedFlushAsync(connection, database) >= places[^1].Commit, "the last change confirmed");
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(PipelineRunState.Completed, run.State);
        Assert.Equal(expected.Length, run.Sources[0].Counters.Records);
        await run.DisposeAsync();
        await DropSlotAsync(connection, database);
    }

    [Fact]
    public async Task Messages_CarryTheReplicaIdentityAsKey_TheCommitTimeAsTimestamp_AndIncreasingPositions()
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await ExecuteAsync(connection,
            "CREATE TABLE items (shop text, sku int, qty int, PRIMARY KEY (shop, sku))",
            "CREATE TABLE notes (line text)",
            "CREATE PUBLICATION shop FOR TABLE items, notes",
            $"SELECT pg_create_logical_replication_slot('{database}', 'pgoutput')");

        // The slot exists before the changes are made: it keeps them for the source that comes later.
        await ExecuteAsync(connection,
            "INSERT INTO items VALUES ('north', 7, 1)",
            "INSERT INTO notes VALUES ('no key here')",
            "UPDATE items SET qty = 2");

        var keys = new List<string?>();
        var payloads = new List<string>();
        var timestamps = new List<long>();
        var positions = new List<byte[]>();
        Source created = ConnectorRegistry.CreateSource(SourceUri(postgres.Server, database, "createSlot=false"), new SourceContext());
        await using (var source = Assert.IsType<PostgresChangeSource>(created))
        using (MessageBatch batch = source.CreateBatch())
        {
            await ReadMessagesAsync(source, batch, keys, payloads, timestamps, positions);
        }

        await DropSlotAsync(connection, database);

        Assert.Equal(["""{"shop":"north","sku":"7"}""", null, """{"shop":"north","sku":"7"}"""], keys);
        for (int i = 0; i < payloads.Count; i++)
        {
            using JsonDocument change = JsonDocument.Parse(payloads[i]);
            Assert.Equal(
                DateTimeOffset.Parse(change.RootElement.GetProperty("commitTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                timestamps[i]);
            if (keys[i] is { } key)
            {
                Assert.Equal(key, change.RootElement.GetProperty("key").GetRawText());
            }
            else
            {
                Assert.Equal(JsonValueKind.Null, change.RootElement.GetProperty("key").ValueKind);
            }
        }

        Assert.Equal(["insert", "insert", "update"], payloads.Select(p => JsonDocument.Parse(p).RootElement.GetProperty("op").GetString()));
        for (int i = 1; i < positions.Count; i++)
        {
            Assert.True(positions[i].AsSpan().SequenceCompareTo(positions[i - 1]) > 0, $"position {i} is after position {i - 1}");
        }
    }

    [Fact]
    public async Task ValuesOfEveryType_AreWrittenAsPostgresTextOutput_NullAsNull()
    {
        using var temp = new ScratchDirectory();
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await ExecuteAsync(connection,
            "CREATE TABLE typed (id bigint PRIMARY KEY, flag boolean, amount numeric(10,2), at timestamp, doc jsonb, tags text[], raw bytea, nothing int)",
            "CREATE PUBLICATION shop FOR TABLE typed");
        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(CapturedChanges.Definition, Options(SourceUri(postgres.Server, database), temp.Combine("out"), checkpoint: null));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        await WaitForStreamingAsync(connection, database);
        await ExecuteAsync(connection,
            "INSERT INTO typed VALUES (9000000000, true, 12.5, '2026-03-01 12:00:00.25', '{\"a\": [1, \"x\"]}', '{red,\"blue sky\"}', '\\x00ff', NULL)");
        await WaitUntil(() => ReadOutput(temp.Combine("out")).Count == 1, "the insert written");
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        Assert.Equal(
            """{"id":"9000000000","flag":"t","amount":"12.50","at":"2026-03-01 12:00:00.25","doc":"{\"a\": [1, \"x\"]}","tags":"{red,\"blue sky\"}","raw":"\\x00ff","nothing":null}""",
            ReadOutput(temp.Combine("out"))[0].GetProperty("new").GetRawText());
        await run.DisposeAsync();
        await DropSlotAsync(connection, database);
    }

    // Reads the source as a run does until it has handed over three messages.
    private static async Task ReadMessagesAsync(
        PostgresChangeSource source, MessageBatch batch, List<string?> keys, List<string> payloads, List<long> timestamps, List<byte[]> positions)
    {
        while (payloads.Count < 3)
        {
            Assert.True(await source.WaitToReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
            batch.Clear();
            source.TryRead(batch);
            for (int i = 0; i < batch.Count; i++)
            {
                Message message = batch[i];
                keys.Add(message.HasKey ? Encoding.UTF8.GetString(message.Key) : null);
                payloads.Add(Encoding.UTF8.GetString(message.Payload));
                timestamps.Add(message.Timestamp);
                positions.Add(message.Position.ToArray());
            }
        }
    }

    [Fact]
    public async Task MissingPublication_FailsTheRun_SayingHowToCreateIt()
    {
        using var temp = new ScratchDirectory();
        string database = await postgres.NewDatabaseAsync();
        await using var run = new PipelineRun(CapturedChanges.Definition,
            Options(SourceUri(postgres.Server, database), temp.Combine("out"), checkpoint: null));
        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            run.RunAsync(CancellationToken.None, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
        string message = failure.ToString();
        Assert.Contains("publication 'shop' does not exist", message, StringComparison.Ordinal);
        Assert.Contains("createPublication=", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlotOfAnotherPlugin_FailsTheRun_SayingToNameAnotherSlot()
    {
        using var temp = new ScratchDirectory();
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await ExecuteAsync(connection,
            "CREATE TABLE t (id int PRIMARY KEY)",
            "CREATE PUBLICATION shop FOR TABLE t",
            "SELECT pg_create_logical_replication_slot('other_plugin', 'test_decoding')");
        try
        {
            await using var run = new PipelineRun(CapturedChanges.Definition,
                Options($"postgres://postgres@127.0.0.1:{postgres.Server.Port}/{database}?publication=shop&slot=other_plugin", temp.Combine("out"), checkpoint: null));
            Exception failure = await Assert.ThrowsAnyAsync<Exception>(() =>
                run.RunAsync(CancellationToken.None, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
            Assert.Contains("plugin 'test_decoding'", failure.ToString(), StringComparison.Ordinal);
            Assert.Contains("name another slot", failure.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync(connection, "SELECT pg_drop_replication_slot('other_plugin')");
        }
    }
}
