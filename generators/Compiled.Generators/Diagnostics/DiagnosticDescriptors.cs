using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Diagnostics
{
    /// <summary>
    /// Every diagnostic the generator reports. Each message says what is wrong and how to fix it; the
    /// README's diagnostics table lists them all.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "Compiled";

        /// <summary>CMP0001: "Pipeline '{0}' must be declared partial, and so must '{1}'; add the 'partial' keyword to the declaration of '{1}'".</summary>
        public static readonly DiagnosticDescriptor PipelineNotPartial = Error(
            "CMP0001", "Pipeline class is not partial",
            "Pipeline '{0}' must be declared partial so that its loop can be generated into it; add the 'partial' keyword to the declaration of '{1}'");

        /// <summary>CMP0002: "Pipeline '{0}' has no source; declare one: ...".</summary>
        public static readonly DiagnosticDescriptor PipelineHasNoSource = Error(
            "CMP0002", "Pipeline has no source",
            "Pipeline '{0}' has no source; declare one, e.g. [Source(Default = \"tcp://localhost:9999\")] public static partial Lines Input();");

        /// <summary>CMP0003: "Pipeline '{0}' has no sink, so its output goes nowhere; declare one: ...".</summary>
        public static readonly DiagnosticDescriptor PipelineHasNoSink = Error(
            "CMP0003", "Pipeline has no sink",
            "Pipeline '{0}' has no sink, so its output goes nowhere; declare one, e.g. [Sink(Default = \"console\")] public static partial void Output({1});");

        /// <summary>CMP0004: "Stage '{0}' takes {1} but '{2}' emits {3}; {4}", the fix proposing only parameters and records the pipeline can have.</summary>
        public static readonly DiagnosticDescriptor StageInputMismatch = Error(
            "CMP0004", "Stage input does not match the previous stage's output",
            "Stage '{0}' takes {1} but '{2}' emits {3}; {4}");

        /// <summary>CMP0005: "Stage '{0}' must be static ...".</summary>
        public static readonly DiagnosticDescriptor OperatorNotStatic = Error(
            "CMP0005", "Stage method is not static",
            "Stage '{0}' must be static: the generated loop calls it directly, without an instance; add the 'static' keyword to '{0}'");

        /// <summary>CMP0006: "Stage '{0}' has a signature a [{1}] cannot have: {2}".</summary>
        public static readonly DiagnosticDescriptor UnsupportedOperatorSignature = Error(
            "CMP0006", "Stage method has an unsupported signature",
            "Stage '{0}' has a signature a [{1}] cannot have: {2}");

        /// <summary>
        /// CMP0007: "The default URI '{0}' of {1} '{2}' has an unknown scheme '{3}'; use one of: {4}, or reference the connector
        /// package that declares '{3}'", the list holding the built-in schemes and those the compilation's connectors declare.
        /// </summary>
        public static readonly DiagnosticDescriptor UnknownUriScheme = Error(
            "CMP0007", "Unknown URI scheme",
            "The default URI '{0}' of {1} '{2}' has an unknown scheme '{3}'; use one of: {4}, or reference the connector package that declares '{3}'");

        /// <summary>CMP0008: "Pipeline '{0}' reads source '{1}' besides '{2}', but no stage combines ...".</summary>
        public static readonly DiagnosticDescriptor MultipleSources = Error(
            "CMP0008", "A second source that no stage combines with the first",
            "Pipeline '{0}' reads source '{1}' besides '{2}', but no stage combines their streams, so it is two pipelines in one; combine them with [Union], [Join], [Cogroup] or [TransformWith] (Input and Other naming a stage of each), or move '{1}' to a pipeline of its own");

        /// <summary>CMP0009: "Source '{0}' must be declared 'public static partial Lines {0}();' ...: {1}".</summary>
        public static readonly DiagnosticDescriptor SourceSignature = Error(
            "CMP0009", "Source is not declared as a partial method returning Lines",
            "Source '{0}' must be declared 'public static partial Lines {0}();', without parameters or a body: {1}");

        /// <summary>CMP0010: "Sink '{0}' must be declared 'public static partial void {0}(...)' ...: {1}".</summary>
        public static readonly DiagnosticDescriptor SinkSignature = Error(
            "CMP0010", "Sink is not declared as a partial void method",
            "Sink '{0}' must be declared 'public static partial void {0}(...)' without a body, taking the record or its key and value: {1}");

        /// <summary>CMP0011: "Stage '{0}' reads {1} = "{2}", but {3}; {4}", the fix being "did you mean '...'?" or "name a stage declared above '{0}', such as ...".</summary>
        public static readonly DiagnosticDescriptor UnknownStageInput = Error(
            "CMP0011", "Stage input names no stage above it",
            "Stage '{0}' reads {1} = \"{2}\", but {3}; {4}");

        /// <summary>CMP0012: "Batch interval '{0}' of pipeline '{1}' is not a duration; write ...".</summary>
        public static readonly DiagnosticDescriptor InvalidBatchInterval = Error(
            "CMP0012", "Batch interval is not a duration",
            "Batch interval '{0}' of pipeline '{1}' is not a duration; write a number and a unit (ms, s, m or h), e.g. 500ms, 1s, 2m");

        /// <summary>CMP0013: "Stage '{0}' works per key, but '{1}' emits {2}, which has no key; ...".</summary>
        public static readonly DiagnosticDescriptor KeyedInputRequired = Error(
            "CMP0013", "Keyed stage reads records without a key",
            "Stage '{0}' works per key, but '{1}' emits {2}, which has no key; add a [Map] before '{0}' that returns KeyValue<V> (a byte-span key) or a (TKey, TValue) tuple whose key is a string or a struct with value equality");

        /// <summary>CMP0014: "Stage '{0}' keys records by {1}, {2}" (why a table cannot keep it, and the fix).</summary>
        public static readonly DiagnosticDescriptor UnsupportedKeyType = Error(
            "CMP0014", "Key type is not supported",
            "Stage '{0}' keys records by {1}, {2}");

        /// <summary>CMP0015: "'{0}' has a [{1}] attribute, but its class '{2}' is not a pipeline; ...".</summary>
        public static readonly DiagnosticDescriptor StageOutsidePipeline = Error(
            "CMP0015", "Stage attribute outside a pipeline",
            "'{0}' has a [{1}] attribute, but its class '{2}' is not a pipeline; add [Pipeline] to '{2}', or remove the attribute");

        /// <summary>CMP0016: "Two stages are named '{0}'; ...".</summary>
        public static readonly DiagnosticDescriptor DuplicateStageName = Error(
            "CMP0016", "Two stages have the same name",
            "Two stages are named '{0}'; a stage's name identifies it in Input and in messages, so rename one of them");

        /// <summary>CMP0017: "'{0}' has both [{1}] and [{2}]; ...".</summary>
        public static readonly DiagnosticDescriptor MultipleStageAttributes = Error(
            "CMP0017", "Method has more than one stage attribute",
            "'{0}' has both [{1}] and [{2}]; a method is one stage, so keep one of the attributes");

        /// <summary>CMP0018 (warning): "Nothing reads the output of stage '{0}'; ...".</summary>
        public static readonly DiagnosticDescriptor StageOutputUnused = Warning(
            "CMP0018", "Stage output is not used",
            "Nothing reads the output of stage '{0}'; add a [Sink] or another stage below it, or name it in a stage's Input");

        /// <summary>CMP0019 (warning): "[FlatMap] '{0}' returns {1}, a reference type, so every record allocates; ...".</summary>
        public static readonly DiagnosticDescriptor FlatMapAllocates = Warning(
            "CMP0019", "FlatMap allocates per record",
            "[FlatMap] '{0}' returns {1}, a reference type, so every record allocates; return a struct or ref struct enumerable such as Utf8Words");

        /// <summary>CMP0020: "Sink '{0}' receives {1}, which cannot be written as text; ...".</summary>
        public static readonly DiagnosticDescriptor UnprintableRecord = Error(
            "CMP0020", "Sink record cannot be written as text",
            "Sink '{0}' receives {1}, a ref struct that cannot be written as text; implement IUtf8SpanFormattable on it, or map it to another type before the sink");

        /// <summary>CMP0021: "Pipeline '{0}' has type parameters; ...".</summary>
        public static readonly DiagnosticDescriptor PipelineIsGeneric = Error(
            "CMP0021", "Pipeline class is generic",
            "Pipeline '{0}' has type parameters, which a pipeline cannot have; remove them from '{0}' and from the types that contain it");

        /// <summary>CMP0022: "Stage '{0}' is declared above the source '{1}', so it has nothing to read; ...".</summary>
        public static readonly DiagnosticDescriptor StageBeforeSource = Error(
            "CMP0022", "Stage is declared above the source",
            "Stage '{0}' is declared above the source '{1}', so it has nothing to read; move the [Source] '{1}' above '{0}', since a stage reads the stage declared above it");

        /// <summary>CMP0023: "Pipeline '{0}' gets a generated {1} named '{2}'; rename {3}".</summary>
        public static readonly DiagnosticDescriptor ReservedMemberName = Error(
            "CMP0023", "Member name is reserved for generated code",
            "Pipeline '{0}' gets a generated {1} named '{2}'; rename {3}");

        /// <summary>CMP0024: "Pipeline '{0}' cannot be generated because '{1}' is declared 'file' ...".</summary>
        public static readonly DiagnosticDescriptor PipelineIsFileLocal = Error(
            "CMP0024", "Pipeline class is file-local",
            "Pipeline '{0}' cannot be generated because '{1}' is declared 'file', and a file-local type cannot be continued in the generated file; remove 'file' (declare it 'internal' to keep it inside the assembly)");

        /// <summary>CMP0025 (warning): "Stage '{0}' keys records by {1}, which does not override GetHashCode, so every lookup boxes the key; ...".</summary>
        public static readonly DiagnosticDescriptor KeyBoxes = Warning(
            "CMP0025", "Key type boxes on every lookup",
            "Stage '{0}' keys records by {1}, which does not override GetHashCode, so every lookup boxes the key; override GetHashCode in {1} (a record struct does) or key by another type");

        /// <summary>CMP0026: "The window of stage '{0}' {1}".</summary>
        public static readonly DiagnosticDescriptor InvalidWindow = Error(
            "CMP0026", "Window length or slide is not valid",
            "The window of stage '{0}' {1}");

        /// <summary>CMP0027: "Stage '{0}' names Inverse = "{1}", but {2}; {3}", the fix being "did you mean '...'?" or "declare 'static V {1}(V a, V b)' ...".</summary>
        public static readonly DiagnosticDescriptor InverseMismatch = Error(
            "CMP0027", "Inverse function does not match its reduce function",
            "Stage '{0}' names Inverse = \"{1}\", but {2}; {3}");

        /// <summary>CMP0028: "Stage '{0}' names Filter = "{1}", but {2}".</summary>
        public static readonly DiagnosticDescriptor WindowFilterMismatch = Error(
            "CMP0028", "Window filter does not match its stage",
            "Stage '{0}' names Filter = \"{1}\", but {2}");

        /// <summary>CMP0029: "The timeout of stage '{0}' {1}".</summary>
        public static readonly DiagnosticDescriptor InvalidTimeout = Error(
            "CMP0029", "State timeout is not valid",
            "The timeout of stage '{0}' {1}");

        /// <summary>CMP0030: "Stage '{0}' reads two streams, but {1}".</summary>
        public static readonly DiagnosticDescriptor TwoInputsMismatch = Error(
            "CMP0030", "The two inputs of a stage do not fit together",
            "Stage '{0}' reads two streams, but {1}");

        /// <summary>CMP0031: "Stage '{0}' names {1} = "{2}", but {3}".</summary>
        public static readonly DiagnosticDescriptor CombineFunctionMismatch = Error(
            "CMP0031", "A combineByKey function is missing or does not fit",
            "Stage '{0}' names {1} = \"{2}\", but {3}");

        /// <summary>CMP0032: "Stage '{0}' {1}".</summary>
        public static readonly DiagnosticDescriptor InvalidEventTime = Error(
            "CMP0032", "Event time is missing or not valid",
            "Stage '{0}' {1}");

        /// <summary>CMP0033: "Stage '{0}' names InitialState = "{1}", but {2}; {3}", the fix being "did you mean '...'?" or "declare 'static IEnumerable&lt;(K Key, S State)&gt; {1}()' ...".</summary>
        public static readonly DiagnosticDescriptor InitialStateMismatch = Error(
            "CMP0033", "Initial state method does not match its state stage",
            "Stage '{0}' names InitialState = \"{1}\", but {2}; {3}");

        /// <summary>CMP0034: "Stage '{0}' {1}, but the generated loop calls a stage synchronously, ... and never awaits it: ...; make '{0}' synchronous and return {2}, ...".</summary>
        public static readonly DiagnosticDescriptor AsyncStage = Error(
            "CMP0034", "Stage method is asynchronous",
            "Stage '{0}' {1}, but the generated loop calls a stage synchronously, once per record (or once per batch), and never awaits it: its work would not be done when the batch is, and a stage below would get the task instead of its result; make '{0}' synchronous and return {2}, and do asynchronous work such as loading a lookup table before the run");

        /// <summary>
        /// CMP0035 (warning): "Stage '{0}' keeps {1} of type '{2}', which a checkpoint cannot write: make '{2}' an unmanaged
        /// struct (no reference fields), or implement Compiled.Checkpoints.ICheckpointValue&lt;{2}&gt;; without that, the
        /// pipeline runs but refuses --checkpoint". The same text goes into the definition's checkpoint problems.
        /// </summary>
        public static readonly DiagnosticDescriptor UnwritableState = Warning(
            "CMP0035", "A checkpoint cannot write the state a stage keeps",
            "Stage '{0}' keeps {1} of type '{2}', which a checkpoint cannot write: make '{2}' an unmanaged struct (no reference fields) or a tuple or struct of numbers and strings whose members can be set (a record struct), or implement Compiled.Checkpoints.ICheckpointValue<{2}>; without that, the pipeline runs but refuses --checkpoint");

        /// <summary>The text of <see cref="UnwritableState"/> for a stage, what it keeps and the type: the diagnostic's message, and the run's refusal.</summary>
        public static string UnwritableStateMessage(string stage, string what, string type) =>
            string.Format(CultureInfo.InvariantCulture, UnwritableState.MessageFormat.ToString(CultureInfo.InvariantCulture), stage, what, type);

        /// <summary>CMP0036: "The {0} connector '{1}' declared by {2} cannot be used: {3}".</summary>
        public static readonly DiagnosticDescriptor InvalidConnector = Error(
            "CMP0036", "A declared connector cannot be used",
            "The {0} connector '{1}' declared by {2} cannot be used: {3}");

        /// <summary>
        /// CMP0037: "The {0} scheme '{1}' is declared twice: by '{2}' in {3} and by '{4}' in {5}; reference only one of the two
        /// connectors, or give one of them another scheme".
        /// </summary>
        public static readonly DiagnosticDescriptor ConnectorSchemeDeclaredTwice = Error(
            "CMP0037", "A connector scheme is declared twice",
            "The {0} scheme '{1}' is declared twice: by '{2}' in {3} and by '{4}' in {5}; reference only one of the two connectors, or give one of them another scheme");

        /// <summary>All descriptors, by id.</summary>
        public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[]
        {
            PipelineNotPartial, PipelineHasNoSource, PipelineHasNoSink, StageInputMismatch, OperatorNotStatic,
            UnsupportedOperatorSignature, UnknownUriScheme, MultipleSources, SourceSignature, SinkSignature,
            UnknownStageInput, InvalidBatchInterval, KeyedInputRequired, UnsupportedKeyType, StageOutsidePipeline,
            DuplicateStageName, MultipleStageAttributes, StageOutputUnused, FlatMapAllocates, UnprintableRecord,
            PipelineIsGeneric,
            StageBeforeSource, ReservedMemberName, PipelineIsFileLocal, KeyBoxes, InvalidWindow, InverseMismatch, WindowFilterMismatch, InvalidTimeout, TwoInputsMismatch, CombineFunctionMismatch, InvalidEventTime,
            InitialStateMismatch, AsyncStage, UnwritableState, InvalidConnector, ConnectorSchemeDeclaredTwice,
        };

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        private static DiagnosticDescriptor Warning(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
    }
}
