using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.PostgreSQL.ChangeDataCapture;
using static Compiled.PostgreSQL.Tests.ChangeDataCapture.ChangeCaptureTestKit;

namespace Compiled.PostgreSQL.Tests.ChangeDataCapture;

/// <summary>
/// When the source tells the slot that changes may go: with a checkpoint, only for a checkpoint's position
/// (<c>CheckpointedAsync</c>), never for a committed batch alone; without one, after each committed batch. The source is
/// driven here as a run drives it, step by step, and the slot's confirmed position is read from the server.
/// </summary>
public sealed class PostgresChangeSourceConfirmationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _checkpoint = Directory.CreateTempSubdirectory("compiled-cdc-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_checkpoint, recursive: true);

    [Fact]
    public async Task WithACheckpoint_ACommittedBatchConfirmsNothing_TheCheckpointedPositionIsConfirmed()
    {
        (string database, string connection) = await PrepareAsync(3);
        ulong before = await ConfirmedFlushAsync(connection, database);
        SourcePosition position;
        await using (var source = Create(database, _checkpoint))
        {
            await TakeAsync(source, 3);
            position = source.GetPosition();

            await source.BatchCommittedAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0UL, (ulong)source.ConfirmedLsn);

            await source.CheckpointedAsync(position, TestContext.Current.CancellationToken);
            ulong confirmed = (ulong)source.ConfirmedLsn;
            Assert.True(confirmed > before, "the checkpoint's position is confirmed");
            await WaitUntilAsync(async () => await ConfirmedFlushAsync(connection, database) == confirmed, "the server has the confirmed position");
        }

        // A source resumed from that checkpoint hands over only what came after it.
        await ExecuteAsync(connection, "INSERT INTO orders VALUES (4)");
        await using (var resumed = Create(database, _checkpoint))
        {
            resumed.ResumeFrom(position);
            Assert.Equal(["4"], await TakeAsync(resumed, 1));
        }

        await DropSlotAsync(connection, database);
    }

    [Fact]
    public async Task WithoutACheckpoint_ACommittedBatchIsConfirmed()
    {
        (string database, string connection) = await PrepareAsync(2);
        ulong before = await ConfirmedFlushAsync(connection, database);
        await using (var source = Create(database, checkpoint: null))
        {
            await TakeAsync(source, 2);
            await source.BatchCommittedAsync(TestContext.Current.CancellationToken);
            ulong confirmed = (ulong)source.ConfirmedLsn;
            Assert.True(confirmed > before, "the committed batch is confirmed");
            await WaitUntilAsync(async () => await ConfirmedFlushAsync(connection, database) == confirmed, "the server has the confirmed position");
        }

        await DropSlotAsync(connection, database);
    }

    // A database with a table, a publication and a slot, and then `inserts` single-row transactions.
    private async Task<(string Database, string Connection)> PrepareAsync(int inserts)
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await ExecuteAsync(connection,
            "CREATE TABLE orders (id int PRIMARY KEY)",
            "CREATE PUBLICATION shop FOR TABLE orders",
            $"SELECT pg_create_logical_replication_slot('{database}', 'pgoutput')");
        await ExecuteAsync(connection, [.. Enumerable.Range(1, inserts).Select(i => $"INSERT INTO orders VALUES ({i})")]);
        return (database, connection);
    }

    private PostgresChangeSource Create(string database, string? checkpoint) =>
        Assert.IsType<PostgresChangeSource>(ConnectorRegistry.CreateSource(
            SourceUri(postgres.Server, database, "createSlot=false"), new SourceContext { CheckpointDirectory = checkpoint }));

    // Reads the source as a run does (wait, fill a batch, the job takes it, ask again) until it has handed over `count`
    // changes; returns their ids.
    private static async Task<List<string>> TakeAsync(PostgresChangeSource source, int count)
    {
        var ids = new List<string>();
        using MessageBatch batch = source.CreateBatch();
        while (ids.Count < count)
        {
            Assert.True(await source.WaitToReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
            batch.Clear();
            if (!source.TryRead(batch) || batch.Count == 0)
            {
                continue;
            }

            for (int i = 0; i < batch.Count; i++)
            {
                using var change = System.Text.Json.JsonDocument.Parse(batch[i].Payload.ToArray());
                ids.Add(change.RootElement.GetProperty("key").GetProperty("id").GetString()!);
            }
        }

        // The run asks for more only once the job has taken a batch: that is when the source counts it as taken. There is
        // nothing more to read (at most a transaction's end).
        batch.Clear();
        source.TryRead(batch);
        Assert.Equal(0, batch.Count);
        Assert.Equal(count, ids.Count);
        return ids;
    }
}
