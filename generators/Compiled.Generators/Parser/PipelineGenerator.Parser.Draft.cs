using System.Collections.Immutable;
using System.IO;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
            // A stage while it is being checked; holds symbols, so it never leaves the parser.
            private sealed class Draft
            {
                public Draft(IMethodSymbol method, StageKind kind, AttributeData attribute)
                {
                    Method = method;
                    Kind = kind;
                    Attribute = attribute;
                }

                public IMethodSymbol Method { get; }

                public StageKind Kind { get; }

                public AttributeData Attribute { get; }

                public string Name => Method.Name;

                public int Input { get; set; } = -1;

                public InputArity Arity { get; set; }

                /// <summary>With <see cref="InputArity.Fields"/>, how many fields of the tuple the method takes.</summary>
                public int Fields { get; set; }

                public RecordType? Output { get; private set; }

                /// <summary>Records what the stage emits, with the symbols that later stages are checked against.</summary>
                public void SetOutput(RecordType output, ITypeSymbol? symbol, ITypeSymbol? key, ITypeSymbol? value)
                {
                    Output = output;
                    OutputSymbol = symbol;
                    KeySymbol = key;
                    ValueSymbol = value;
                }

                /// <summary>Forgets the output: the stage is wrong, so nothing below it is checked against it.</summary>
                public void ClearOutput()
                {
                    Output = null;
                    OutputSymbol = null;
                    KeySymbol = null;
                    ValueSymbol = null;
                }

                /// <summary>Emits what <paramref name="upstream"/> emits (a filter, a reduce).</summary>
                public void SetOutput(Draft upstream) =>
                    SetOutput(upstream.Output!, upstream.OutputSymbol, upstream.KeySymbol, upstream.ValueSymbol);

                public ITypeSymbol? OutputSymbol { get; private set; }

                public ITypeSymbol? KeySymbol { get; private set; }

                public ITypeSymbol? ValueSymbol { get; private set; }

                public string? DefaultUri { get; set; }

                /// <summary>For a typed source, how its lines are parsed.</summary>
                public SourceParse? Parse { get; set; }

                /// <summary>For a windowed stage, its window.</summary>
                public WindowModel? Window { get; set; }

                /// <summary>For a stateful stage, its state.</summary>
                public StateModel? State { get; set; }

                /// <summary>For a stage that reads two streams, the index of the second.</summary>
                public int Other { get; set; } = -1;

                /// <summary>For [CombineByKey], its MergeValue method.</summary>
                public string? MergeValue { get; set; }

                /// <summary>For [CombineByKey], its MergeCombiners method.</summary>
                public string? MergeCombiners { get; set; }

                /// <summary>For the event-time stages, their watermark or window.</summary>
                public TimeModel? Time { get; set; }

                /// <summary>For a sink, whether it receives only an [EventTime] stage's late records.</summary>
                public bool LateOnly { get; set; }

                /// <summary>For a sink, the members of its record copied from a source line's columns.</summary>
                public ColumnCopy? Copy { get; set; }

                /// <summary>How often the stage's stream emits: the batch interval, or the slide of the nearest window above.</summary>
                public long SlideMs { get; set; }
            }
        }
    }
}
