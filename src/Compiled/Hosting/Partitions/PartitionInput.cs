namespace Compiled.Hosting.Partitions;

/// <summary>
/// What the partitions of a run read of one source: each partition's share of the source's input, which the partition's
/// thread reads (<see cref="Read"/>) and runs through its fused loop with the calls <see cref="PartitionThreads"/> gives
/// it, which also park it at each batch boundary. Three kinds today: a source's files split into byte ranges cut at line
/// ends (<see cref="FileInput"/>); a message source whose own partitions (a Kafka topic's) are spread over readers,
/// one per partition of the run (<see cref="MessageInput"/>); and a source of one stream whose one reader deals pieces
/// of it to the partitions (<see cref="DealingInput{TPiece}"/>): blocks of whole lines of a byte stream
/// (<see cref="StreamInput"/>), batches of messages (<see cref="MessageStreamInput"/>).
/// </summary>
/// <remarks>
/// An input reads one piece at a time (a buffer of a file, a batch of messages), and after each asks
/// <see cref="PartitionThreads.AfterRead"/> whether to go on: that is where a partition parks for a boundary, asks for one
/// when its sink buffers or its share of a batch's bytes are full, and learns that the run is closing. An input with
/// nothing to read waits with <see cref="PartitionThreads.AwaitInput"/>, counted as parked, so a boundary never waits
/// for input to come. Input cut into sections (<see cref="Sections"/>) waits for the others at each section's start
/// (<see cref="PartitionThreads.AwaitSection"/>).
/// </remarks>
internal abstract class PartitionInput : IDisposable
{
    /// <summary>Creates the input of source <paramref name="source"/>.</summary>
    protected PartitionInput(int source) => Source = source;

    /// <summary>The source's index, in declaration order.</summary>
    public int Source { get; }

    /// <summary>Into how many sections the input is cut, which the partitions read together, a section at a time; 1 when it is read in one.</summary>
    public virtual int Sections => 1;

    /// <summary>
    /// Whether at every batch boundary the partitions together have read the input as one partition would have, as at
    /// a section's end: then none holds the job's watermark back, which moves on to the latest event time of them all, as
    /// one partition's would. False for files, whose partitions read ranges far apart in the input; true for a message
    /// source's partitions, whose messages one partition would also have taken as they came, in no order between them.
    /// </summary>
    public virtual bool EveryBoundaryEndsASection => false;

    /// <summary>
    /// Reads partition <paramref name="partition"/>'s share of the input, on the partition's thread, into its fused loop
    /// through <paramref name="threads"/>. Returns <see langword="true"/> when the share has ended (the partition goes on
    /// with the next source's), <see langword="false"/> when the run is closing.
    /// </summary>
    public abstract bool Read(int partition, PartitionThreads threads);

    /// <summary>
    /// A boundary was asked for: the partitions park after what they have in hand. An input that deals input to the
    /// partitions itself stops dealing here, so that what they run before they park is a prefix of its input. Called
    /// with <see cref="PartitionThreads"/>' lock held: takes no lock but the input's own. Does nothing by default.
    /// </summary>
    public virtual void BoundaryAsked()
    {
    }

    /// <summary>
    /// The partitions go on after a boundary, or close (<see cref="PartitionThreads.Closing"/>): an input that stopped
    /// dealing at <see cref="BoundaryAsked"/> deals again, and wakes a partition it holds waiting. Does nothing by default.
    /// </summary>
    public virtual void PartitionsGoOn()
    {
    }

    /// <summary>Lets go of what the input holds open (files, readers' batches).</summary>
    public abstract void Dispose();
}
