using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Compiled.Redis;

/// <summary>
/// The acknowledgements: the ids the job took, and the <c>XACK</c>s that carry them once their batch is safe, sent
/// without the run's loop waiting for their answers.
/// </summary>
public sealed partial class RedisStreamSource
{
    // The most ids one XACK carries: 2,048 ids, whose text (below 24 bytes an id as Redis makes them) and the client's
    // own array of the command's 16-byte RedisValues stay below the large-object heap's 85,000 bytes.
    private const int AcknowledgeChunk = 2048;

    // The most XACKs on their way at once, each with its own ids (the client reads them when it writes the command, and
    // again if it sends it again after a lost connection). A batch of more entries than they carry waits for the oldest
    // answer before it sends another; the ids of an answered XACK are reused by the next.
    private const int MostAcknowledgementsOnTheirWay = 8;

    // An id is kept as its two numbers, not as the client's value read with the entry, so that what the client read is
    // garbage as soon as the job took it, not kept (and promoted by the collector) until its batch commits; the text an
    // XACK sends is written again into its Acknowledgement.
    private readonly Queue<EntryId> _unacknowledged = new();
    private EntryId _newestTaken;   // the last id put in _unacknowledged

    // XACKs sent and not yet seen answered, oldest first, and those answered, whose ids are reused; the entries of
    // those seen answered. The run's loop alone changes them, and locks _sending to, so that Acknowledged, read on
    // any thread, sees the queue whole.
    private readonly Queue<Acknowledgement> _sending = new();
    private readonly Stack<Acknowledgement> _answered = new();
    private long _acknowledged;

    // The run's token given with the last batch's acknowledgements: the end of the run sends again with it those that
    // failed, so that an aborted run does not wait out the retries.
    private CancellationToken _acknowledging;

    // Sends the XACKs of the entries taken up to upTo, AcknowledgeChunk ids each, one after the other without awaiting
    // their answers: they travel pipelined, and the run's loop goes on with the next batch instead of waiting a round
    // trip per XACK (and being woken on another thread for each). Nothing awaits an XACK's task either while it is on
    // its way (the next batch looks whether it is answered), so its answer wakes no thread to run a continuation.
    // That keeps every guarantee: an XACK is sent only once its entries' batch is committed (and, with a checkpoint,
    // durable), as before; the server answers it later. An XACK that is lost (a crash before the server had it)
    // leaves its entries pending, which both modes already handle: without a checkpoint this consumer reads them again
    // at its next start (at least once, as for a crash just before the XACK), and with one a resumed run acknowledges
    // those up to the checkpointed id without reading them (ResumeFrom). One that fails is sent again with retries
    // (RedisRetry); if the server refuses it, or is away for retryFor, the run fails at a later batch, here.
    private async ValueTask AcknowledgeUpToAsync(EntryId upTo, CancellationToken cancellationToken)
    {
        _acknowledging = cancellationToken;
        CollectAnswered(cancellationToken);
        int count = upTo.CompareTo(_newestTaken) >= 0 ? _unacknowledged.Count : CountUpTo(upTo);

        for (int start = 0; start < count; start += AcknowledgeChunk)
        {
            if (_answered.Count == 0 && _sending.Count >= MostAcknowledgementsOnTheirWay)
            {
                await OldestAnsweredAsync(cancellationToken).ConfigureAwait(false);
            }

            Acknowledgement acknowledgement = _answered.Count > 0 ? _answered.Pop() : new Acknowledgement();
            acknowledgement.Take(_unacknowledged, Math.Min(AcknowledgeChunk, count - start));
            Task<long> answer = SendAcknowledgement(acknowledgement.Ids);
            lock (_sending)
            {
                acknowledgement.Answer = answer;
                _sending.Enqueue(acknowledgement);
            }
        }
    }

    // The ids taken up to upTo (they are in the order taken), when some were taken after it.
    private int CountUpTo(EntryId upTo)
    {
        int count = 0;
        foreach (EntryId id in _unacknowledged)
        {
            if (id.CompareTo(upTo) > 0)
            {
                break;
            }

            count++;
        }

        return count;
    }

    // One XACK, its task left alone until it is seen answered. (The client may throw at once, with no connection.)
    private Task<long> SendAcknowledgement(RedisValue[] ids)
    {
        try
        {
            return Database.StreamAcknowledgeAsync(_stream, _options.Group, ids);
        }
        catch (Exception error)
        {
            // Whatever it is, the next batch sees it as a failed XACK, and sends it again with retries.
            return Task.FromException<long>(error);
        }
    }

    // The same XACK sent again after it failed, now with the retries of a server away (RedisRetry), and marked so: one
    // the server refuses ends in RedisRetry's error, which says what to do. Returns its new answer. The caller holds
    // _sending's lock.
    private Task<long> SendAgain(Acknowledgement acknowledgement, CancellationToken cancellationToken)
    {
        RedisValue[] ids = acknowledgement.Ids;
        acknowledgement.SentAgain = true;
        return acknowledgement.Answer = WithRetriesAsync(_ => Database.StreamAcknowledgeAsync(_stream, _options.Group, ids), "acknowledge entries on", cancellationToken);
    }

    // The XACKs answered so far, oldest first, are counted and their ids reused; one that failed is sent again, and
    // one that failed again throws its error.
    private void CollectAnswered(CancellationToken cancellationToken)
    {
        int sentAgain = 0;
        while (_sending.Count > sentAgain && _sending.Peek().Answer!.IsCompleted)
        {
            Acknowledgement oldest = _sending.Peek();
            Task<long> answer = oldest.Answer!;
            if (answer.IsCompletedSuccessfully)
            {
                Answered();
            }
            else if (!oldest.SentAgain)
            {
                lock (_sending)
                {
                    // Sent again, it goes behind the others on their way.
                    _sending.Dequeue();
                    SendAgain(oldest, cancellationToken);
                    _sending.Enqueue(oldest);
                }

                sentAgain++;
            }
            else
            {
                Dropped();
                answer.GetAwaiter().GetResult();
            }
        }
    }

    // Waits for the oldest XACK on its way to be answered, sending it again if it failed; its ids are then reused. One
    // that fails again is dropped, and its error thrown.
    private async ValueTask OldestAnsweredAsync(CancellationToken cancellationToken)
    {
        Acknowledgement oldest = _sending.Peek();
        try
        {
            try
            {
                await oldest.Answer!.ConfigureAwait(false);
            }
            catch (Exception) when (!oldest.SentAgain)
            {
                Task<long> again;
                lock (_sending)
                {
                    again = SendAgain(oldest, cancellationToken);
                }

                await again.ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            Dropped();
            throw;
        }

        Answered();
    }

    // The oldest XACK on its way was answered: its entries are acknowledged, and its ids can carry another one.
    private void Answered()
    {
        lock (_sending)
        {
            Acknowledgement answered = _sending.Dequeue();
            _acknowledged += answered.Ids.Length;
            answered.Answer = null;
            answered.SentAgain = false;
            _answered.Push(answered);
        }
    }

    // The oldest XACK on its way failed for good: its entries stay pending.
    private void Dropped()
    {
        lock (_sending)
        {
            _sending.Dequeue().Answer = null;
        }
    }

    // What Acknowledged counts: the entries of the XACKs seen answered, and of those on their way that are answered.
    private long CountAcknowledged()
    {
        lock (_sending)
        {
            long acknowledged = _acknowledged;
            foreach (Acknowledgement acknowledgement in _sending)
            {
                if (acknowledgement.Answer is { IsCompletedSuccessfully: true })
                {
                    acknowledged += acknowledgement.Ids.Length;
                }
            }

            return acknowledged;
        }
    }

    // At the end of a run: waits for the XACKs still on their way, sending again those that failed. One that fails
    // for good is logged, not thrown: its entries stay pending, to be read again or acknowledged at the checkpoint by
    // the next run, as after a crash.
    private async ValueTask FinishAcknowledgingAsync()
    {
        while (_sending.Count > 0)
        {
            try
            {
                await OldestAnsweredAsync(_acknowledging).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                LogAcknowledgementLost(error, _options.SafeText, error.Message);
            }
        }
    }

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Redis source {Source}: an acknowledgement (XACK) sent at the end of the run failed ({Reason}); its entries stay pending, and the next run of this consumer reads them again, or acknowledges them if its checkpoint holds them")]
    private partial void LogAcknowledgementLost(Exception error, string source, string reason);

    // One XACK's ids: the array the client takes and their text, kept for another XACK once this one is answered.
    private sealed class Acknowledgement
    {
        private const int TypicalIdLength = 24;

        private readonly RedisValue[] _full = new RedisValue[AcknowledgeChunk];
        private readonly EntryIds _text = new(AcknowledgeChunk * TypicalIdLength);
        private RedisValue[] _short = [];

        // The XACK sent with these ids, until it is seen answered, and whether it failed once and was sent again.
        public Task<long>? Answer { get; set; }

        public bool SentAgain { get; set; }

        // The ids this XACK carries (the client sends the whole array: a shorter one for the last XACK of a batch,
        // kept while the next batch's last is as long).
        public RedisValue[] Ids { get; private set; } = [];

        // Takes the first count ids of the queue into this XACK's array.
        public void Take(Queue<EntryId> ids, int count)
        {
            RedisValue[] array = count == _full.Length ? _full : _short.Length == count ? _short : _short = new RedisValue[count];
            _text.Clear();
            for (int i = 0; i < count; i++)
            {
                EntryId id = ids.Dequeue();
                array[i] = _text.Add(id.Milliseconds, id.Sequence);
            }

            Ids = array;
        }
    }
}
