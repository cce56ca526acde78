using System.Collections.Generic;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators
{
    /// <summary>
    /// The runtime's and the core library's types that the parser and the analyzer look for, found once per parse
    /// (or per compilation) and compared by symbol with <see cref="SymbolEqualityComparer.Default"/>, never by the
    /// text they display as. A type another assembly happens to name the same is not one of them.
    /// </summary>
    /// <remarks>
    /// Each type is taken from the assembly it belongs to: the runtime's types from the assembly of the
    /// <c>[Pipeline]</c> attribute, the core library's from the assembly of <see cref="object"/>. The lookup is
    /// <see cref="Compilation.GetTypesByMetadataName"/>, which, unlike <c>GetTypeByMetadataName</c>, neither gives
    /// up on a name that two references define nor picks one of them by chance. A type that cannot be found is
    /// <see langword="null"/> and matches nothing.
    /// </remarks>
    internal sealed class KnownTypes
    {
        private readonly Dictionary<INamedTypeSymbol, StageKind> _stageKinds = new(SymbolEqualityComparer.Default);
        private readonly HashSet<INamedTypeSymbol> _ownParsedFields = new(SymbolEqualityComparer.Default);

        private KnownTypes(Compilation compilation, IAssemblySymbol? runtime)
        {
            IAssemblySymbol core = compilation.GetSpecialType(SpecialType.System_Object).ContainingAssembly;
            runtime ??= Find(compilation, KnownNames.PipelineAttribute, null)?.ContainingAssembly;

            PipelineAttribute = Find(compilation, KnownNames.PipelineAttribute, runtime);
            Lines = Find(compilation, "Compiled.Lines", runtime);
            TypedLines = Find(compilation, "Compiled.Lines`1", runtime);
            KeyValue = Find(compilation, "Compiled.KeyValue`1", runtime);
            Utf8Text = Find(compilation, "Compiled.Utf8Text", runtime);
            State = Find(compilation, "Compiled.State`1", runtime);
            Grouped1 = Find(compilation, "Compiled.Grouped`1", runtime);
            Grouped2 = Find(compilation, "Compiled.Grouped`2", runtime);
            Windowed2 = Find(compilation, "Compiled.Windowed`2", runtime);
            ByteBatch = Find(compilation, "Compiled.ByteBatch", runtime);
            KeyValueBatch = Find(compilation, "Compiled.KeyValueBatch`1", runtime);
            RecordBuffer = Find(compilation, "Compiled.RecordBuffer`1", runtime);
            CheckpointValue = Find(compilation, "Compiled.Checkpoints.ICheckpointValue`1", runtime);
            ReadOnlySpan = Find(compilation, "System.ReadOnlySpan`1", core);
            Utf8SpanParsable = Find(compilation, "System.IUtf8SpanParsable`1", core);
            Utf8SpanFormattable = Find(compilation, "System.IUtf8SpanFormattable", core);
            Equatable = Find(compilation, "System.IEquatable`1", core);
            DateTimeOffset = Find(compilation, "System.DateTimeOffset", core);
            AsyncEnumerable = Find(compilation, "System.Collections.Generic.IAsyncEnumerable`1", core);
            foreach (string[] field in Compiled.Internal.FieldTypes.OwnParsers)
            {
                if (Find(compilation, field[0], core) is { } type)
                {
                    _ownParsedFields.Add(type);
                }
            }

            foreach (KeyValuePair<string, StageKind> stage in KnownNames.StageKinds)
            {
                if (Find(compilation, stage.Key, runtime) is { } attribute)
                {
                    _stageKinds[attribute] = stage.Value;
                }
            }
        }

        /// <summary>The known types of <paramref name="compilation"/>, the runtime's taken from the assembly of <paramref name="pipelineAttribute"/>.</summary>
        public static KnownTypes For(Compilation compilation, INamedTypeSymbol? pipelineAttribute) =>
            new(compilation, pipelineAttribute?.ContainingAssembly);

        /// <summary><c>Compiled.PipelineAttribute</c>.</summary>
        public INamedTypeSymbol? PipelineAttribute { get; }

        /// <summary><c>Compiled.Lines</c>: a source of byte lines.</summary>
        public INamedTypeSymbol? Lines { get; }

        /// <summary><c>Compiled.Lines&lt;T&gt;</c>: a source of lines parsed as T.</summary>
        public INamedTypeSymbol? TypedLines { get; }

        /// <summary><c>Compiled.KeyValue&lt;TValue&gt;</c>: a record keyed by bytes.</summary>
        public INamedTypeSymbol? KeyValue { get; }

        /// <summary><c>Compiled.Utf8Text</c>: a slice of a source's buffer, valid while its record is handled.</summary>
        public INamedTypeSymbol? Utf8Text { get; }

        /// <summary><c>Compiled.State&lt;TState&gt;</c>: a key's state in [MapWithState].</summary>
        public INamedTypeSymbol? State { get; }

        /// <summary><c>Compiled.Grouped&lt;TValue&gt;</c>: a byte key's values of a batch.</summary>
        public INamedTypeSymbol? Grouped1 { get; }

        /// <summary><c>Compiled.Grouped&lt;TKey, TValue&gt;</c>: a struct key's values of a batch.</summary>
        public INamedTypeSymbol? Grouped2 { get; }

        /// <summary><c>Compiled.Windowed&lt;TKey, TValue&gt;</c>: a struct key's value of an event-time window.</summary>
        public INamedTypeSymbol? Windowed2 { get; }

        /// <summary><c>Compiled.ByteBatch</c>: a batch of byte records handed to a [ForEachBatch].</summary>
        public INamedTypeSymbol? ByteBatch { get; }

        /// <summary><c>Compiled.KeyValueBatch&lt;TValue&gt;</c>: a batch of byte-keyed records handed to a [ForEachBatch].</summary>
        public INamedTypeSymbol? KeyValueBatch { get; }

        /// <summary><c>Compiled.RecordBuffer&lt;T&gt;</c>: the output of a whole-batch function.</summary>
        public INamedTypeSymbol? RecordBuffer { get; }

        /// <summary><c>Compiled.Checkpoints.ICheckpointValue&lt;TSelf&gt;</c>: a kept type that writes itself into a checkpoint.</summary>
        public INamedTypeSymbol? CheckpointValue { get; }

        /// <summary><c>System.ReadOnlySpan&lt;T&gt;</c>.</summary>
        public INamedTypeSymbol? ReadOnlySpan { get; }

        /// <summary><c>System.IUtf8SpanParsable&lt;TSelf&gt;</c>.</summary>
        public INamedTypeSymbol? Utf8SpanParsable { get; }

        /// <summary><c>System.IUtf8SpanFormattable</c>.</summary>
        public INamedTypeSymbol? Utf8SpanFormattable { get; }

        /// <summary><c>System.IEquatable&lt;T&gt;</c>.</summary>
        public INamedTypeSymbol? Equatable { get; }

        /// <summary><c>System.DateTimeOffset</c>.</summary>
        public INamedTypeSymbol? DateTimeOffset { get; }

        /// <summary><c>System.Collections.Generic.IAsyncEnumerable&lt;T&gt;</c>.</summary>
        public INamedTypeSymbol? AsyncEnumerable { get; }

        /// <summary>
        /// Whether <paramref name="type"/> is a field type that <c>Utf8Parse</c> reads with an overload of its own (string,
        /// DateTime, DateTimeOffset: <c>FieldTypes.OwnParsers</c>), rather than through IUtf8SpanParsable.
        /// </summary>
        public bool HasOwnFieldParser(ITypeSymbol type) =>
            type is INamedTypeSymbol named && _ownParsedFields.Contains(named);

        /// <summary>Whether <paramref name="attribute"/> is one of the runtime's stage attributes, and which.</summary>
        public bool TryGetStageKind(INamedTypeSymbol? attribute, out StageKind kind)
        {
            kind = default;
            return attribute is not null && _stageKinds.TryGetValue(attribute, out kind);
        }

        /// <summary>Whether <paramref name="type"/> is <paramref name="known"/> (a generic type whatever its type arguments).</summary>
        public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
            type is INamedTypeSymbol named && known is not null && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, known);

        // The type of that metadata name defined in 'assembly'; without an assembly, or if it has none, the one type
        // of that name among the references, or null where there is none or more than one.
        private static INamedTypeSymbol? Find(Compilation compilation, string metadataName, IAssemblySymbol? assembly)
        {
            System.Collections.Immutable.ImmutableArray<INamedTypeSymbol> found = compilation.GetTypesByMetadataName(metadataName);
            if (assembly is not null)
            {
                foreach (INamedTypeSymbol type in found)
                {
                    if (SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, assembly))
                    {
                        return type;
                    }
                }
            }

            return found.Length == 1 ? found[0] : null;
        }
    }
}
