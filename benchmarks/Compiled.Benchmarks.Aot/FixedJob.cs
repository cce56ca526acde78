using System.Buffers;
using System.Runtime.CompilerServices;
using Compiled.Benchmarks.Experiments;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Keys;
using Compiled.Sinks;

namespace Compiled.Benchmarks.Aot;

/// <summary>
/// What the generated word-count job would be with the two changes this benchmark suggests: the generated
/// <c>OnRecord</c> marked <c>AggressiveInlining</c> (the emitter's part) and the <c>[FlatMap]</c>
/// enumerator's <c>MoveNext</c> marked <c>AggressiveInlining</c> (the runtime's part). Otherwise it is the
/// generated code of <c>WordCountPipelineJob</c>, statement for statement, including the batch boundary.
/// </summary>
internal sealed class FixedJob(Sink output) : IDisposable
{
    private readonly LineFramer _inputFramer = new(FramingOptions.Default, new SourceCounters());
    private readonly ByteKeyTable<long> _add = new();
    private readonly Sink _output = output;
    private readonly RecordText _text = new();

    public void Run(in ReadOnlySequence<byte> buffer)
    {
        _inputFramer.Reset("memory");
        var inputLoop = new InputLoop(this);
        _inputFramer.Frame(buffer, isCompleted: true, ref inputLoop);

        for (int addIndex = 0; addIndex < _add.Count; addIndex++)
        {
            var add = new KeyValue<long>(_add.KeyAt(addIndex), _add.ValueAt(addIndex));
            _output.Write(_text.Clear().Append('(').Append(add.Key).Append(',').AppendValue(add.Value).Append(')').Written);
        }

        _add.Clear();
    }

    public void Dispose() => _inputFramer.Dispose();

    private readonly struct InputLoop(FixedJob job) : IRecordConsumer
    {
        private readonly ByteKeyTable<long> _add = job._add;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnRecord(ReadOnlySpan<byte> input)
        {
            foreach (var words in InlinedWordsPipeline.Words(input))
            {
                var pair = InlinedWordsPipeline.Pair(words);
                ref long addSlot = ref _add.GetValueRefOrAddDefault(pair.Key, out bool addExists);
                addSlot = addExists ? InlinedWordsPipeline.Add(addSlot, pair.Value) : pair.Value;
            }
        }
    }
}
