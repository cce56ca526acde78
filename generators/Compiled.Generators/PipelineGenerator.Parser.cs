using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Compiled.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        /// <summary>
        /// Reads a [Pipeline] class from symbols into a <see cref="PipelineModel"/>, checking the chain of stages
        /// as it goes. Symbols stay inside this class; the model holds only strings, enums and numbers.
        /// </summary>
        internal sealed class Parser
        {
            private static readonly SymbolDisplayFormat ShortFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
                .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

            private static readonly SymbolDisplayFormat CodeFormat = SymbolDisplayFormat.FullyQualifiedFormat
                .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

            private static readonly SymbolDisplayFormat NamespaceFormat = new(
                globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
                typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
                miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

            private readonly ImmutableArray<Diagnostic>.Builder _diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
            private readonly CancellationToken _cancellationToken;
            private readonly Compilation _compilation;
            private readonly INamedTypeSymbol _int64;
            private bool _hasErrors;
            private long _intervalMs = 1000;
            private List<Draft>? _built;

            private Parser(Compilation compilation, CancellationToken cancellationToken)
            {
                _compilation = compilation;
                _int64 = compilation.GetSpecialType(SpecialType.System_Int64);
                _cancellationToken = cancellationToken;
            }

            /// <summary>Parses the [Pipeline] class that <paramref name="context"/> found.</summary>
            public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
            {
                var parser = new Parser(context.SemanticModel.Compilation, cancellationToken);
                PipelineModel? model = parser.ParsePipeline((INamedTypeSymbol)context.TargetSymbol, context.Attributes[0]);
                return ParseResult.Of(model, parser._diagnostics.ToImmutable());
            }

            /// <summary>Reports a stage attribute on a method whose class is not a pipeline.</summary>
            public static EquatableArray<Diagnostic> FindStrayStage(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
            {
                var method = (IMethodSymbol)context.TargetSymbol;
                INamedTypeSymbol type = method.ContainingType;
                if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.PipelineAttribute))
                {
                    return EquatableArray<Diagnostic>.Empty;
                }

                cancellationToken.ThrowIfCancellationRequested();
                string attribute = ShortAttributeName(context.Attributes[0].AttributeClass!.ToDisplayString());
                Location location = context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? method.Locations[0];
                return new EquatableArray<Diagnostic>(new[]
                {
                    Diagnostic.Create(DiagnosticDescriptors.StageOutsidePipeline, location, method.Name, attribute, type.Name),
                });
            }

            private PipelineModel? ParsePipeline(INamedTypeSymbol type, AttributeData pipelineAttribute)
            {
                TypeHierarchy? hierarchy = ReadHierarchy(type);
                if (hierarchy is null)
                {
                    // Nothing can be generated into a class that is not partial: the diagnostics say so.
                    return null;
                }

                EquatableArray<string> takenNames = CheckReservedNames(type);
                long intervalMs = ReadBatchInterval(type, pipelineAttribute);
                _intervalMs = intervalMs;
                List<Draft> drafts = ReadStages(type);
                List<StageModel> stages = BuildGraph(type, drafts);
                _cancellationToken.ThrowIfCancellationRequested();

                // A second guard: a stage that reads nothing cannot be emitted, whatever was or was not reported.
                bool hasErrors = _hasErrors || stages.Any(s => s.Kind != StageKind.Source && s.Input < 0);
                string hintName = hierarchy.FullyQualifiedName.Replace("global::", "").Replace("@", "").Replace('<', '_').Replace('>', '_').Replace(',', '_') + ".g.cs";
                return new PipelineModel(hierarchy, type.Name, hintName, intervalMs, stages.ToEquatableArray(), hasErrors, takenNames, TestDriverAccessibility(drafts));
            }

            // The test driver exposes the sources' and sinks' record types, so it can be no more visible than they are.
            private static string TestDriverAccessibility(List<Draft> drafts)
            {
                Accessibility least = Accessibility.Public;
                foreach (Draft draft in drafts)
                {
                    IEnumerable<ITypeSymbol> types = draft.Kind == StageKind.Source
                        ? (draft.OutputSymbol is { } record ? new[] { record } : Enumerable.Empty<ITypeSymbol>())
                        : draft.Kind == StageKind.Sink ? draft.Method.Parameters.Select(p => p.Type) : Enumerable.Empty<ITypeSymbol>();
                    foreach (ITypeSymbol type in types)
                    {
                        Accessibility accessibility = EffectiveAccessibility(type);
                        if (accessibility < least)
                        {
                            least = accessibility;
                        }
                    }
                }

                return least switch
                {
                    Accessibility.Public => "public",
                    Accessibility.Internal or Accessibility.ProtectedOrInternal => "internal",
                    _ => "private",
                };
            }

            // The least accessibility of a type, its containing types and its type arguments.
            private static Accessibility EffectiveAccessibility(ITypeSymbol type)
            {
                Accessibility least = Accessibility.Public;
                if (type is IArrayTypeSymbol array)
                {
                    return EffectiveAccessibility(array.ElementType);
                }

                for (ISymbol? symbol = type; symbol is INamedTypeSymbol named; symbol = symbol.ContainingType)
                {
                    if (named.DeclaredAccessibility != Accessibility.NotApplicable && named.DeclaredAccessibility < least)
                    {
                        least = named.DeclaredAccessibility;
                    }

                    foreach (ITypeSymbol argument in named.TypeArguments)
                    {
                        Accessibility inner = EffectiveAccessibility(argument);
                        if (inner < least)
                        {
                            least = inner;
                        }
                    }
                }

                return least;
            }

            // Definition, RunAsync, TestDriver and the job class are generated into the pipeline class, so the class must not
            // declare or inherit a member of those names (CMP0023). Returns the names that are taken.
            private EquatableArray<string> CheckReservedNames(INamedTypeSymbol type)
            {
                var taken = new List<string>();
                foreach ((string name, string kind) in new[] { ("Definition", "property"), ("RunAsync", "method"), ("TestDriver", "class"), (type.Name + "Job", "class") })
                {
                    if (type.Name == name)
                    {
                        Report(DiagnosticDescriptors.ReservedMemberName, type.Locations[0], type.Name, kind, name,
                            "the pipeline class: a class cannot have a member with its own name");
                        taken.Add(name);
                        continue;
                    }

                    foreach (ISymbol member in type.GetMembers(name).Where(m => Clashes(m, name)))
                    {
                        Location location = member.Locations.FirstOrDefault(l => l.IsInSource) ?? type.Locations[0];
                        Report(DiagnosticDescriptors.ReservedMemberName, location, type.Name, kind, name, $"your {KindOf(member)} '{name}'");
                        taken.Add(name);
                    }

                    // An inherited member would be hidden, which is a warning, and warnings may be errors.
                    for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null && !taken.Contains(name); baseType = baseType.BaseType)
                    {
                        foreach (ISymbol member in baseType.GetMembers(name).Where(m => m.DeclaredAccessibility != Accessibility.Private && Clashes(m, name)))
                        {
                            Report(DiagnosticDescriptors.ReservedMemberName, type.Locations[0], type.Name, kind, name,
                                $"the {KindOf(member)} '{baseType.Name}.{name}' that '{type.Name}' inherits, or derive '{type.Name}' from another class");
                            taken.Add(name);
                            break;
                        }
                    }
                }

                return taken.Distinct().ToEquatableArray();
            }

            // Any member of a reserved name clashes, except a RunAsync overload: only RunAsync(string[]) is generated.
            private static bool Clashes(ISymbol member, string name) =>
                !(name == "RunAsync" && member is IMethodSymbol method
                    && !(method.Arity == 0 && method.Parameters.Length == 1
                        && method.Parameters[0].Type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_String }));

            private static string KindOf(ISymbol member) => member switch
            {
                IMethodSymbol => "method",
                IPropertySymbol => "property",
                IFieldSymbol => "field",
                IEventSymbol => "event",
                INamedTypeSymbol { IsRecord: true } => "record",
                INamedTypeSymbol named => named.TypeKind.ToString().ToLowerInvariant(),
                _ => "member",
            };

            // The namespace and the chain of containing types; null (with CMP0001) if a declaration is not partial.
            private TypeHierarchy? ReadHierarchy(INamedTypeSymbol pipeline)
            {
                var types = new List<TypeDeclaration>();
                bool partial = true;
                bool fileLocal = false;
                bool generic = false;
                for (INamedTypeSymbol? type = pipeline; type is not null; type = type.ContainingType)
                {
                    generic |= type.TypeParameters.Length > 0;
                    TypeDeclarationSyntax? declaration = null;
                    foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
                    {
                        if (reference.GetSyntax(_cancellationToken) is TypeDeclarationSyntax candidate)
                        {
                            declaration ??= candidate;
                            if (partial && !candidate.Modifiers.Any(SyntaxKind.PartialKeyword))
                            {
                                Report(DiagnosticDescriptors.PipelineNotPartial, candidate.Identifier.GetLocation(), pipeline.Name, type.Name);
                                partial = false;
                            }

                            // A file-local type cannot be reopened from the generated file: the other part would be another type.
                            SyntaxToken file = candidate.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.FileKeyword));
                            if (!fileLocal && file.IsKind(SyntaxKind.FileKeyword))
                            {
                                Report(DiagnosticDescriptors.PipelineIsFileLocal, file.GetLocation(), pipeline.Name, type.Name);
                                fileLocal = true;
                            }
                        }
                    }

                    types.Insert(0, new TypeDeclaration(KeywordOf(declaration), Identifier(type.Name), type.IsStatic));
                }

                if (generic)
                {
                    Report(DiagnosticDescriptors.PipelineIsGeneric, pipeline.Locations[0], pipeline.Name);
                    return null;
                }

                if (!partial || fileLocal)
                {
                    return null;
                }

                string ns = pipeline.ContainingNamespace.IsGlobalNamespace ? "" : pipeline.ContainingNamespace.ToDisplayString(NamespaceFormat);
                return new TypeHierarchy(ns, types.ToEquatableArray());
            }

            private static string KeywordOf(TypeDeclarationSyntax? declaration) => declaration switch
            {
                RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
                RecordDeclarationSyntax => "record",
                StructDeclarationSyntax => "struct",
                InterfaceDeclarationSyntax => "interface",
                _ => "class",
            };

            private long ReadBatchInterval(INamedTypeSymbol type, AttributeData attribute)
            {
                string text = "1s";
                foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                {
                    if (argument.Key == "BatchInterval" && argument.Value.Value is string value)
                    {
                        text = value;
                    }
                }

                if (DurationText.TryParse(text, out TimeSpan interval))
                {
                    return (long)interval.TotalMilliseconds;
                }

                Report(DiagnosticDescriptors.InvalidBatchInterval, ArgumentLocation(attribute, "BatchInterval") ?? type.Locations[0], text, type.Name);
                return 1000;
            }

            // The methods that carry a stage attribute, in declaration order.
            private List<Draft> ReadStages(INamedTypeSymbol type)
            {
                var drafts = new List<Draft>();
                var names = new HashSet<string>(StringComparer.Ordinal);
                IEnumerable<IMethodSymbol> methods = type.GetMembers().OfType<IMethodSymbol>()
                    .Where(m => m.Locations.Length > 0 && m.Locations[0].IsInSource)
                    .OrderBy(m => m.Locations[0].SourceTree!.FilePath, StringComparer.Ordinal)
                    .ThenBy(m => m.Locations[0].SourceSpan.Start);
                foreach (IMethodSymbol method in methods)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    AttributeData? stageAttribute = null;
                    StageKind kind = default;
                    foreach (AttributeData attribute in method.GetAttributes())
                    {
                        string? name = attribute.AttributeClass?.ToDisplayString();
                        if (name is null || !TryGetKind(name, out StageKind found))
                        {
                            continue;
                        }

                        if (stageAttribute is null)
                        {
                            stageAttribute = attribute;
                            kind = found;
                        }
                        else
                        {
                            Report(DiagnosticDescriptors.MultipleStageAttributes, method.Locations[0], method.Name,
                                ShortAttributeName(stageAttribute.AttributeClass!.ToDisplayString()), ShortAttributeName(name));
                        }
                    }

                    if (stageAttribute is null)
                    {
                        continue;
                    }

                    if (!names.Add(method.Name))
                    {
                        Report(DiagnosticDescriptors.DuplicateStageName, method.Locations[0], method.Name);
                        continue;
                    }

                    drafts.Add(new Draft(method, kind, stageAttribute));
                }

                return drafts;
            }

            // "0", "0s", "0ms", "00m": no time at all, which a lateness may be though a window may not.
            private static bool IsZeroDuration(string text)
            {
                string number = text.Trim();
                foreach (string unit in new[] { "ms", "s", "m", "h" })
                {
                    if (number.EndsWith(unit, StringComparison.Ordinal))
                    {
                        number = number.Substring(0, number.Length - unit.Length);
                        break;
                    }
                }

                return number.Length > 0 && number.All(c => c == '0');
            }

            // A pipeline is one graph: every source's stream must meet the first source's, through the stages that
            // read two streams (Union, the joins, Cogroup, TransformWith). Two graphs in one class are two pipelines.
            private void CheckSourcesMeet(INamedTypeSymbol type, List<Draft> built)
            {
                int[] parent = Enumerable.Range(0, built.Count).ToArray();
                int Find(int i)
                {
                    while (parent[i] != i)
                    {
                        i = parent[i] = parent[parent[i]];
                    }

                    return i;
                }

                for (int i = 0; i < built.Count; i++)
                {
                    foreach (int input in new[] { built[i].Input, built[i].Other })
                    {
                        if (input >= 0 && input < built.Count)
                        {
                            parent[Find(i)] = Find(input);
                        }
                    }
                }

                int first = built.FindIndex(d => d.Kind == StageKind.Source);
                for (int i = first + 1; i < built.Count; i++)
                {
                    if (built[i].Kind == StageKind.Source && Find(i) != Find(first))
                    {
                        Report(DiagnosticDescriptors.MultipleSources, built[i].Method.Locations[0], type.Name, built[i].Name, built[first].Name);
                    }
                }
            }

            // Resolves each stage's input, checks its signature against it, and builds the stage models.
            private List<StageModel> BuildGraph(INamedTypeSymbol type, List<Draft> drafts)
            {
                var stages = new List<StageModel>();
                var built = new List<Draft>();
                _built = built;
                Draft? firstSource = drafts.FirstOrDefault(d => d.Kind == StageKind.Source);
                Draft? source = null;
                int lastNonSink = -1;

                // A sink named as an [EventTime] stage's Late output reads that stage's late records only.
                var lateSinks = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (Draft draft in drafts.Where(d => d.Kind == StageKind.EventTime))
                {
                    if (NamedArgument(draft.Attribute, "Late") is { } late && !lateSinks.ContainsKey(late))
                    {
                        lateSinks[late] = draft.Name;
                    }
                }

                foreach (Draft draft in drafts)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    if (draft.Kind == StageKind.Source)
                    {
                        // A second source starts a chain of its own: the stages declared below it read it.
                        source = draft;
                        draft.SlideMs = _intervalMs;
                        CheckSource(draft);
                    }
                    else
                    {
                        int input = draft.Kind == StageKind.Sink && lateSinks.TryGetValue(draft.Name, out string? timeStage)
                            ? LateSinkInput(draft, built, timeStage)
                            : ResolveInput(draft, built, lastNonSink);
                        if (input < 0 && source is null && firstSource is not null && NamedArgument(draft.Attribute, "Input") is null)
                        {
                            // Nothing above it to read. Without any source, CMP0002 alone says what is missing.
                            Report(DiagnosticDescriptors.StageBeforeSource, draft.Method.Locations[0], draft.Name, firstSource.Name);
                        }

                        draft.Input = input;
                        Draft? upstream = input >= 0 ? built[input] : null;
                        draft.SlideMs = upstream?.SlideMs ?? _intervalMs;
                        Draft? other = null;
                        if (IsTwoInput(draft.Kind))
                        {
                            if (NamedArgument(draft.Attribute, "Other") is null)
                            {
                                Report(DiagnosticDescriptors.TwoInputsMismatch, draft.Method.Locations[0], draft.Name,
                                    "it names no second stream; add Other = nameof(...), naming a stage declared above it");
                            }
                            else
                            {
                                draft.Other = ResolveInput(draft, built, -1, "Other");
                                other = draft.Other >= 0 ? built[draft.Other] : null;
                                if (other is not null && upstream is not null && other.SlideMs != upstream.SlideMs)
                                {
                                    Report(DiagnosticDescriptors.TwoInputsMismatch, ArgumentLocation(draft.Attribute, "Other") ?? draft.Method.Locations[0], draft.Name,
                                        $"'{upstream.Name}' emits every {DurationText.Format(TimeSpan.FromMilliseconds(upstream.SlideMs))} and '{other.Name}' every {DurationText.Format(TimeSpan.FromMilliseconds(other.SlideMs))}; both must emit at the same slide, as in Spark");
                                }
                            }
                        }

                        if (draft.Kind == StageKind.Sink)
                        {
                            CheckSink(draft, upstream);
                        }
                        else if (IsDeclaredStage(draft.Kind))
                        {
                            CheckDeclaredStage(draft, upstream, other);
                        }
                        else if (IsTwoInput(draft.Kind) || draft.Kind is StageKind.Transform or StageKind.ForEachBatch)
                        {
                            CheckBatchFunction(draft, upstream, other);
                        }
                        else
                        {
                            CheckOperator(draft, upstream);
                        }

                        if (IsWindowed(draft.Kind))
                        {
                            draft.Window = ReadWindow(draft, upstream);
                            if (draft.Window is not null)
                            {
                                draft.SlideMs = draft.Window.SlideMilliseconds;
                            }
                        }
                    }

                    built.Add(draft);
                    if (!IsTerminal(draft.Kind))
                    {
                        lastNonSink = built.Count - 1;
                    }
                }

                foreach (Draft time in built.Where(d => d.Kind == StageKind.EventTime && d.Time is not null))
                {
                    if (NamedArgument(time.Attribute, "Late") is not { } late)
                    {
                        continue;
                    }

                    int sink = built.FindIndex(d => d.Name == late);
                    if (sink < 0 || built[sink].Kind != StageKind.Sink)
                    {
                        Report(DiagnosticDescriptors.InvalidEventTime, ArgumentLocation(time.Attribute, "Late") ?? time.Method.Locations[0], time.Name,
                            $"names Late = \"{late}\", but {(sink < 0 ? "no stage has that name" : $"'{late}' is not a sink")}; name a [Sink] declared below it that takes its records");
                        continue;
                    }

                    time.Time = time.Time! with { LateSink = sink };
                }

                if (source is null)
                {
                    Report(DiagnosticDescriptors.PipelineHasNoSource, type.Locations[0], type.Name);
                }
                else
                {
                    CheckSourcesMeet(type, built);
                }

                if (!built.Any(d => IsTerminal(d.Kind)))
                {
                    RecordType? last = lastNonSink >= 0 ? built[lastNonSink].Output : null;
                    Report(DiagnosticDescriptors.PipelineHasNoSink, type.Locations[0], type.Name, SuggestSinkParameters(last));
                }
                else if (!_hasErrors)
                {
                    // Only for a pipeline that is otherwise right: next to an error, an unused stage is noise.
                    for (int i = 0; i < built.Count; i++)
                    {
                        if (!IsTerminal(built[i].Kind) && !built.Any(d => d.Input == i || d.Other == i))
                        {
                            Report(DiagnosticDescriptors.StageOutputUnused, built[i].Method.Locations[0], built[i].Name);
                        }
                    }
                }

                foreach (Draft draft in built)
                {
                    stages.Add(new StageModel(
                        draft.Name,
                        draft.Kind,
                        draft.Input,
                        draft.Arity,
                        draft.Output,
                        LocationText(draft.Method),
                        draft.Kind is StageKind.Source or StageKind.Sink || IsDeclaredStage(draft.Kind) ? ImplementationSignature(draft.Method) : null,
                        draft.DefaultUri,
                        draft.Kind == StageKind.Source ? (draft.Parse is null ? "lines" : "lines of " + draft.Parse.RecordDisplay) : null,
                        draft.Kind == StageKind.Sink ? "(" + string.Join(", ", draft.Method.Parameters.Select(p => p.Type.ToDisplayString(ShortFormat) + " " + p.Name)) + ")" : null,
                        draft.Parse,
                        draft.Window,
                        draft.State,
                        draft.Other,
                        draft.MergeValue,
                        draft.Time,
                        draft.LateOnly));
                }

                return stages;
            }

            private int ResolveInput(Draft draft, List<Draft> built, int lastNonSink, string property = "Input")
            {
                string? named = NamedArgument(draft.Attribute, property);
                if (named is null)
                {
                    return lastNonSink;
                }

                for (int i = 0; i < built.Count; i++)
                {
                    if (built[i].Name == named)
                    {
                        if (IsTerminal(built[i].Kind))
                        {
                            ReportInput(draft, property, named, $"'{named}' is an output of the pipeline, which emits nothing", built);
                            return -1;
                        }

                        return i;
                    }
                }

                string why = draft.Method.ContainingType.GetMembers(named).OfType<IMethodSymbol>().Any()
                    ? $"'{named}' is declared below it (or is not a stage)"
                    : "no stage has that name";
                ReportInput(draft, property, named, why, built);
                return -1;
            }

            private static bool IsTerminal(StageKind kind) => kind is StageKind.Sink or StageKind.ForEachBatch;

            private void ReportInput(Draft draft, string property, string named, string why, List<Draft> built)
            {
                string candidates = string.Join(", ", built.Where(d => !IsTerminal(d.Kind)).Select(d => $"nameof({d.Name})"));
                Report(DiagnosticDescriptors.UnknownStageInput, ArgumentLocation(draft.Attribute, property) ?? draft.Method.Locations[0],
                    draft.Name, property, named, why, candidates.Length == 0 ? "a source" : candidates);
            }

            private void CheckSource(Draft draft)
            {
                IMethodSymbol method = draft.Method;
                draft.DefaultUri = NamedArgument(draft.Attribute, "Default");
                string? problem =
                    !IsPartialDeclarationOnly(method) ? "declare it 'partial' with no body; the body is generated"
                    : !method.IsStatic ? "it must be static"
                    : method.IsGenericMethod ? "it must not have type parameters"
                    : method.Parameters.Length != 0 ? "it must not take parameters; the URI is bound at run time"
                    : !IsLines(method.ReturnType, out _) ? $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but a source returns Lines (newline-delimited records) or Lines<T> (each line parsed as a T)"
                    : WrittenAccessibility(method).Length == 0 ? "it has no access modifier, which C# requires of a partial method that returns a value; add 'public' or 'internal'"
                    : null;
                if (problem is not null)
                {
                    Report(DiagnosticDescriptors.SourceSignature, method.Locations[0], draft.Name, problem);
                }

                if (IsLines(method.ReturnType, out ITypeSymbol? record) && record is not null)
                {
                    // Lines<T>: each line is parsed as a T, which the stages below see.
                    draft.Parse = ParseOf(record);
                    if (draft.Parse is null)
                    {
                        Report(DiagnosticDescriptors.SourceSignature, method.Locations[0], draft.Name,
                            $"a line cannot be read as '{record.ToDisplayString(ShortFormat)}'; use string, a type that implements IUtf8SpanParsable<T> (int, long, double, decimal, Guid, DateTime, or your own), or a tuple of those, written as comma-separated fields");
                    }

                    SetClassifiedOutput(draft, record);
                }
                else
                {
                    // The source's records are its lines, whatever else is wrong with it, so the stages below can be checked.
                    draft.SetOutput(new RecordType(RecordShape.Bytes, ByteSpanName, null, null), null, null, null);
                }

                CheckDefaultUri(draft, "source", KnownSchemes.Sources);
            }

            // Lines (record null) or Lines<T> (record T).
            private static bool IsLines(ITypeSymbol type, out ITypeSymbol? record)
            {
                record = null;
                if (type.ToDisplayString() == KnownNames.Lines)
                {
                    return true;
                }

                if (type is INamedTypeSymbol { IsGenericType: true } generic && generic.OriginalDefinition.ToDisplayString() == KnownNames.TypedLines)
                {
                    record = generic.TypeArguments[0];
                    return true;
                }

                return false;
            }

            // How a line becomes a T: a string, an IUtf8SpanParsable<T>, or a tuple of those; null if it cannot.
            private static SourceParse? ParseOf(ITypeSymbol record)
            {
                var fields = new List<ParseField>();
                bool tuple = record is INamedTypeSymbol { IsTupleType: true };
                IEnumerable<ITypeSymbol> types = tuple
                    ? ((INamedTypeSymbol)record).TupleElements.Select(e => e.Type)
                    : new[] { record };
                foreach (ITypeSymbol type in types)
                {
                    if (type.SpecialType == SpecialType.System_String)
                    {
                        fields.Add(new ParseField("string", IsText: true));
                    }
                    else if (type.AllInterfaces.Any(i => i.OriginalDefinition.ToDisplayString() == KnownNames.Utf8SpanParsable
                        && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type)))
                    {
                        fields.Add(new ParseField(type.ToDisplayString(CodeFormat), IsText: false));
                    }
                    else
                    {
                        return null;
                    }
                }

                string declaration = $"global::Compiled.Lines<{record.ToDisplayString(CodeFormat)}>";
                return new SourceParse(declaration, record.ToDisplayString(ShortFormat), fields.ToEquatableArray(), tuple);
            }

            private void CheckSink(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                draft.DefaultUri = NamedArgument(draft.Attribute, "Default");
                string? problem =
                    !IsPartialDeclarationOnly(method) ? "declare it 'partial' with no body; the body is generated"
                    : !method.IsStatic ? "it must be static"
                    : method.IsGenericMethod ? "it must not have type parameters"
                    : !method.ReturnsVoid ? $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but a sink returns void"
                    : method.Parameters.Length is < 1 or > 2 ? $"it takes {method.Parameters.Length} parameters"
                    : RefProblem(method);
                CheckDefaultUri(draft, "sink", KnownSchemes.Sinks);
                if (problem is not null)
                {
                    Report(DiagnosticDescriptors.SinkSignature, method.Locations[0], draft.Name, problem);
                    return;
                }

                if (upstream?.Output is null)
                {
                    return;
                }

                if (MatchInput(draft, upstream) && TextFormatOf(upstream.Output) == TextFormat.None)
                {
                    Report(DiagnosticDescriptors.UnprintableRecord, method.Locations[0], draft.Name, Quote(upstream.Output.Type.Display));
                }
            }

            private void CheckOperator(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                string attribute = draft.Kind.ToString();
                if (!method.IsStatic)
                {
                    Report(DiagnosticDescriptors.OperatorNotStatic, method.Locations[0], draft.Name);
                    return;
                }

                string? problem =
                    IsPartialDeclarationOnly(method) ? "it has no body"
                    : method.IsGenericMethod ? "it has type parameters, but the generated loop calls it with concrete types"
                    : method.ReturnsVoid ? "it returns void, but a stage returns what it emits"
                    : RefProblem(method);
                if (problem is not null)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute, problem);
                    return;
                }

                switch (draft.Kind)
                {
                    case StageKind.Map:
                        if (RequireArity(draft, "one record in, one record out: static TOut " + draft.Name + "(TIn record)") && upstream?.Output is not null && MatchInput(draft, upstream))
                        {
                            SetClassifiedOutput(draft, method.ReturnType);
                        }

                        break;

                    case StageKind.Filter:
                        if (method.ReturnType.SpecialType != SpecialType.System_Boolean)
                        {
                            Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                                $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but a filter returns bool: static bool {draft.Name}(T record)");
                        }
                        else if (RequireArity(draft, "static bool " + draft.Name + "(T record)") && upstream?.Output is not null && MatchInput(draft, upstream))
                        {
                            draft.SetOutput(upstream);
                        }

                        break;

                    case StageKind.FlatMap:
                        CheckFlatMap(draft, upstream);
                        break;

                    case StageKind.ReduceByKey or StageKind.ReduceByKeyAndWindow:
                        CheckReduceByKey(draft, upstream);
                        break;

                    case StageKind.CountByValue or StageKind.CountByValueAndWindow:
                        CheckCountByValue(draft, upstream);
                        break;

                    case StageKind.ReduceByWindow or StageKind.Reduce:
                        CheckReduceByWindow(draft, upstream);
                        break;

                    case StageKind.MapValues or StageKind.FlatMapValues:
                        CheckMapValues(draft, upstream);
                        break;

                    case StageKind.CombineByKey:
                        CheckCombineByKey(draft, upstream);
                        break;

                    case StageKind.EventTime:
                        CheckEventTime(draft, upstream);
                        break;

                    case StageKind.EventWindow or StageKind.SessionWindow:
                        CheckEventWindow(draft, upstream);
                        break;

                    case StageKind.UpdateStateByKey:
                        CheckUpdateStateByKey(draft, upstream);
                        break;

                    case StageKind.MapWithState:
                        CheckMapWithState(draft, upstream);
                        break;
                }
            }

            // The keyed input of a stateful stage: its key must be a byte span or a struct key; returns false if not.
            private bool RequireKeyedInput(Draft draft, Draft upstream)
            {
                if (!upstream.Output!.IsKeyed)
                {
                    Report(DiagnosticDescriptors.KeyedInputRequired, draft.Method.Locations[0], draft.Name, upstream.Name, Quote(upstream.Output.Type.Display));
                    return false;
                }

                if (upstream.Output.Shape == RecordShape.Tuple && !IsStructKey(upstream.KeySymbol))
                {
                    Report(DiagnosticDescriptors.UnsupportedKeyType, draft.Method.Locations[0], draft.Name, Quote(upstream.Output.Key!.Display));
                    return false;
                }

                return true;
            }

            // The keyed output of a stage that keeps the input's key and emits values of type 'value'.
            private void SetKeyedOutput(Draft draft, Draft upstream, ITypeSymbol value)
            {
                TypeName valueName = NameOf(value);
                if (upstream.Output!.Shape == RecordShape.KeyValue)
                {
                    var type = new TypeName($"global::Compiled.KeyValue<{valueName.Code}>", $"KeyValue<{valueName.Display}>", TextFormat.Object, IsRefLike: true);
                    draft.SetOutput(new RecordType(RecordShape.KeyValue, type, ByteSpanName, valueName), null, null, value);
                }
                else
                {
                    INamedTypeSymbol tuple = _compilation.CreateTupleTypeSymbol(ImmutableArray.Create(upstream.KeySymbol!, value));
                    draft.SetOutput(new RecordType(RecordShape.Tuple, NameOf(tuple), upstream.Output.Key, valueName), tuple, upstream.KeySymbol, value);
                }
            }

            private static ITypeSymbol? NullableOf(ITypeSymbol type) =>
                type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : null;

            // [UpdateStateByKey]: static S? Name(ReadOnlySpan<V> values, S? state), S a struct.
            private void CheckUpdateStateByKey(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (upstream?.Output is null || !RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                string value = upstream.Output.Value!.Display;
                string shape = $"static S? {draft.Name}(ReadOnlySpan<{value}> values, S? state), where S is a struct";
                ITypeSymbol? state = NullableOf(method.ReturnType);
                bool fits = method.Parameters.Length == 2
                    && state is not null
                    && method.Parameters[0].Type is INamedTypeSymbol span && span.OriginalDefinition.ToDisplayString() == KnownNames.ReadOnlySpan
                    && SameType(span.TypeArguments[0], upstream.ValueSymbol)
                    && SameType(method.Parameters[1].Type, method.ReturnType);
                if (!fits)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "UpdateStateByKey",
                        $"an update function takes the key's new values and its state, and returns the new state or null to remove the key: {shape}");
                    return;
                }

                draft.Arity = InputArity.KeyAndValue;
                draft.State = new StateModel(NameOf(state!), upstream.Output.Value, null, OptionalOutput: false);
                SetKeyedOutput(draft, upstream, state!);
            }

            // [MapWithState]: static TOut Name(K key, V? value, State<S> state), S a struct; TOut? emits nothing for null.
            private void CheckMapWithState(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                long? timeout = null;
                if (NamedArgument(draft.Attribute, "Timeout") is { } text)
                {
                    Location location = ArgumentLocation(draft.Attribute, "Timeout") ?? method.Locations[0];
                    string interval = DurationText.Format(TimeSpan.FromMilliseconds(_intervalMs));
                    if (!DurationText.TryParse(text, out TimeSpan duration))
                    {
                        Report(DiagnosticDescriptors.InvalidTimeout, location, draft.Name, $"'{text}' is not a duration; write a number and a unit (ms, s, m or h), e.g. 30s");
                    }
                    else if ((long)duration.TotalMilliseconds % _intervalMs != 0)
                    {
                        Report(DiagnosticDescriptors.InvalidTimeout, location, draft.Name,
                            $"{DurationText.Format(duration)} is not a multiple of the batch interval {interval}; use a multiple of {interval}");
                    }
                    else
                    {
                        timeout = (long)duration.TotalMilliseconds;
                    }
                }

                if (upstream?.Output is null || !RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                string key = upstream.Output.Key!.Display;
                string value = upstream.Output.Value!.Display;
                string shape = $"static TOut {draft.Name}({key} key, {value}? value, State<S> state), where S is a struct";
                bool keyFits = method.Parameters.Length == 3
                    && (upstream.Output.Shape == RecordShape.KeyValue ? IsByteSpan(method.Parameters[0].Type) : SameType(method.Parameters[0].Type, upstream.KeySymbol));
                bool valueFits = method.Parameters.Length == 3 && NullableOf(method.Parameters[1].Type) is { } v && SameType(v, upstream.ValueSymbol);
                ITypeSymbol? state = method.Parameters.Length == 3 && method.Parameters[2].Type is INamedTypeSymbol st && st.OriginalDefinition.ToDisplayString() == KnownNames.State
                    ? st.TypeArguments[0]
                    : null;
                if (!keyFits || !valueFits || state is null)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "MapWithState",
                        $"a mapping function takes the key, the value (null when the key times out) and the key's state: {shape}");
                    return;
                }

                ITypeSymbol? optional = NullableOf(method.ReturnType);
                draft.Arity = InputArity.KeyAndValue;
                draft.State = new StateModel(NameOf(state), upstream.Output.Value, timeout, OptionalOutput: optional is not null);
                SetClassifiedOutput(draft, optional ?? method.ReturnType);
            }

            // Stages without a function, declared as partial methods that the generator implements.
            internal static bool IsDeclaredStage(StageKind kind) =>
                kind is StageKind.Window or StageKind.CountByWindow or StageKind.Count or StageKind.GroupByKey or StageKind.Union;

            // A late sink reads its [EventTime] stage, which must be declared above it.
            private int LateSinkInput(Draft sink, List<Draft> built, string timeStage)
            {
                sink.LateOnly = true;
                int index = built.FindIndex(d => d.Name == timeStage);
                if (index < 0)
                {
                    Report(DiagnosticDescriptors.InvalidEventTime, sink.Method.Locations[0], timeStage,
                        $"names Late = \"{sink.Name}\", but '{sink.Name}' is declared above it; declare the late sink below the [EventTime] stage");
                }

                return index;
            }

            // [EventTime]: static long Name(T record) or static DateTimeOffset Name(T record); the records pass on unchanged.
            private void CheckEventTime(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                bool offset = method.ReturnType.ToDisplayString() == "System.DateTimeOffset";
                if (method.ReturnType.SpecialType != SpecialType.System_Int64 && !offset)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "EventTime",
                        $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but an event time is a long (Unix milliseconds) or a DateTimeOffset: static long {draft.Name}(T record)");
                    return;
                }

                if (!RequireArity(draft, $"static long {draft.Name}(T record)") || upstream?.Output is null || !MatchInput(draft, upstream))
                {
                    return;
                }

                long lateness = 0;
                if (NamedArgument(draft.Attribute, "Lateness") is { } text && !IsZeroDuration(text))
                {
                    if (!DurationText.TryParse(text, out TimeSpan duration))
                    {
                        Report(DiagnosticDescriptors.InvalidEventTime, ArgumentLocation(draft.Attribute, "Lateness") ?? method.Locations[0], draft.Name,
                            $"has Lateness '{text}', which is not a duration; write a number and a unit (ms, s, m or h), e.g. 10s, or 0");
                        return;
                    }

                    lateness = (long)duration.TotalMilliseconds;
                }

                draft.SetOutput(upstream);
                draft.Time = new TimeModel(lateness, offset, -1, 0, 0, 0, -1);
            }

            // [EventWindow] and [SessionWindow]: a keyed reduce, static V Name(V a, V b), below an [EventTime] stage with
            // only per-record stages between, so that each record's event time is at hand.
            private void CheckEventWindow(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                CheckReduceByKey(draft, upstream);
                if (draft.Output is null || upstream is null)
                {
                    return;
                }

                int time = -1;
                for (Draft? current = upstream; current is not null; current = current.Input >= 0 ? _built![current.Input] : null)
                {
                    if (current.Kind == StageKind.EventTime)
                    {
                        time = _built!.IndexOf(current);
                        break;
                    }

                    if (current.Kind is not (StageKind.Map or StageKind.Filter or StageKind.FlatMap or StageKind.MapValues or StageKind.FlatMapValues))
                    {
                        break;
                    }
                }

                if (time < 0)
                {
                    Report(DiagnosticDescriptors.InvalidEventTime, method.Locations[0], draft.Name,
                        "has no event time; declare an [EventTime] stage above it, with only per-record stages ([Map], [Filter], [FlatMap], [MapValues]) between them");
                    draft.ClearOutput();
                    return;
                }

                long size = 0;
                long slide = 0;
                long gap = 0;
                if (draft.Kind == StageKind.EventWindow)
                {
                    size = EventDuration(draft, "Size") ?? 0;
                    slide = NamedArgument(draft.Attribute, "Slide") is null ? size : EventDuration(draft, "Slide") ?? 0;
                    if (size > 0 && slide > size)
                    {
                        Report(DiagnosticDescriptors.InvalidWindow, ArgumentLocation(draft.Attribute, "Slide") ?? method.Locations[0], draft.Name,
                            $"has Slide {DurationText.Format(TimeSpan.FromMilliseconds(slide))}, more than its Size {DurationText.Format(TimeSpan.FromMilliseconds(size))}, so some records would be in no window; use a slide of at most the size");
                        slide = 0;
                    }
                }
                else
                {
                    gap = EventDuration(draft, "Gap") ?? 0;
                }

                if ((draft.Kind == StageKind.EventWindow && (size == 0 || slide == 0)) || (draft.Kind == StageKind.SessionWindow && gap == 0))
                {
                    draft.ClearOutput();
                    return;
                }

                RecordType input = upstream.Output!;
                TypeName value = input.Value!;
                TypeName type = input.Shape == RecordShape.KeyValue
                    ? new TypeName($"global::Compiled.Windowed<{value.Code}>", $"Windowed<{value.Display}>", TextFormat.Object, IsRefLike: true)
                    : new TypeName($"global::Compiled.Windowed<{input.Key!.Code}, {value.Code}>", $"Windowed<{input.Key.Display}, {value.Display}>", TextFormat.Object);
                draft.SetOutput(new RecordType(RecordShape.Windowed, type, input.Key, value), null, upstream.KeySymbol, upstream.ValueSymbol);
                draft.Time = new TimeModel(0, false, -1, size, slide, gap, time);
            }

            // Size, Slide or Gap of an event-time window: a duration of more than zero.
            private long? EventDuration(Draft draft, string name)
            {
                string? text = NamedArgument(draft.Attribute, name);
                Location location = ArgumentLocation(draft.Attribute, name) ?? draft.Method.Locations[0];
                if (text is null)
                {
                    Report(DiagnosticDescriptors.InvalidWindow, location, draft.Name, $"has no {name}; give one, e.g. {name} = \"1m\"");
                    return null;
                }

                if (!DurationText.TryParse(text, out TimeSpan duration))
                {
                    bool zero = double.TryParse(new string(text.Trim().TakeWhile(c => char.IsDigit(c) || c == '.').ToArray()), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double number) && number == 0;
                    Report(DiagnosticDescriptors.InvalidWindow, location, draft.Name, zero
                        ? $"has {name} '{text}', but it must be more than zero"
                        : $"has {name} '{text}', which is not a duration; write a number and a unit (ms, s, m or h), e.g. 30s");
                    return null;
                }

                return (long)duration.TotalMilliseconds;
            }

            private static bool IsTwoInput(StageKind kind) =>
                kind is StageKind.Union or StageKind.Join or StageKind.LeftOuterJoin or StageKind.RightOuterJoin or StageKind.FullOuterJoin
                    or StageKind.Cogroup or StageKind.TransformWith;

            // [MapValues]: static W Name(V value); [FlatMapValues]: static IEnumerable-like<W> Name(V value). The key stays.
            private void CheckMapValues(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (upstream?.Output is null || !RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                string value = upstream.Output.Value!.Display;
                if (method.Parameters.Length != 1 || !SameType(method.Parameters[0].Type, upstream.ValueSymbol))
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        draft.Kind == StageKind.MapValues
                            ? $"it maps the value alone and the key stays: static W {draft.Name}({value} value)"
                            : $"it maps the value alone to zero or more values, each with the key: static TEnumerable {draft.Name}({value} value)");
                    return;
                }

                ITypeSymbol? mapped = draft.Kind == StageKind.MapValues ? method.ReturnType : ElementType(method.ReturnType);
                if (mapped is null || mapped.IsRefLikeType)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        mapped is null
                            ? $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', which foreach cannot walk"
                            : $"its values are '{mapped.ToDisplayString(ShortFormat)}', a ref struct, which a keyed record cannot hold");
                    return;
                }

                draft.Arity = InputArity.Record;
                SetKeyedOutput(draft, upstream, mapped);
            }

            // [CombineByKey]: static C Name(V value) creates; MergeValue: static C M(C c, V v); MergeCombiners: static C M(C a, C b).
            private void CheckCombineByKey(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (upstream?.Output is null || !RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                string value = upstream.Output.Value!.Display;
                if (method.Parameters.Length != 1 || !SameType(method.Parameters[0].Type, upstream.ValueSymbol) || method.ReturnType.IsRefLikeType)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "CombineByKey",
                        $"it creates a combiner from a key's first value: static C {draft.Name}({value} value)");
                    return;
                }

                ITypeSymbol combiner = method.ReturnType;
                string c = combiner.ToDisplayString(ShortFormat);
                bool ok = true;
                foreach ((string property, ITypeSymbol second, string shape) in new[]
                {
                    ("MergeValue", upstream.ValueSymbol!, $"static {c} Name({c} combiner, {value} value)"),
                    ("MergeCombiners", combiner, $"static {c} Name({c} a, {c} b)"),
                })
                {
                    string? name = NamedArgument(draft.Attribute, property);
                    Location location = ArgumentLocation(draft.Attribute, property) ?? method.Locations[0];
                    if (name is null)
                    {
                        Report(DiagnosticDescriptors.CombineFunctionMismatch, location, draft.Name, property, "", $"none is given; add {property} = nameof(...), naming {shape.Replace("Name", "a method")}");
                        ok = false;
                        continue;
                    }

                    bool fits = draft.Method.ContainingType.GetMembers(name).OfType<IMethodSymbol>().Any(m =>
                        m.IsStatic && !m.IsGenericMethod && m.Parameters.Length == 2
                        && SameType(m.Parameters[0].Type, combiner) && SameType(m.Parameters[1].Type, second) && SameType(m.ReturnType, combiner));
                    if (!fits)
                    {
                        Report(DiagnosticDescriptors.CombineFunctionMismatch, location, draft.Name, property, name,
                            $"the pipeline class has no method '{shape.Replace("Name", name)}'; declare it");
                        ok = false;
                    }
                    else if (property == "MergeValue")
                    {
                        draft.MergeValue = name;
                    }
                }

                if (ok)
                {
                    draft.Arity = InputArity.Record;
                    SetKeyedOutput(draft, upstream, combiner);
                }
            }

            // [GroupByKey]: returns Grouped<V> (byte key) or Grouped<K, V> (struct key).
            private void CheckGroupByKey(Draft draft, Draft upstream, string shape)
            {
                IMethodSymbol method = draft.Method;
                if (!RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                RecordType input = upstream.Output!;
                bool fits = method.ReturnType is INamedTypeSymbol named && (input.Shape == RecordShape.KeyValue
                    ? named.OriginalDefinition.ToDisplayString() == KnownNames.Grouped1 && SameType(named.TypeArguments[0], upstream.ValueSymbol)
                    : named.OriginalDefinition.ToDisplayString() == KnownNames.Grouped2 && SameType(named.TypeArguments[0], upstream.KeySymbol) && SameType(named.TypeArguments[1], upstream.ValueSymbol));
                if (!fits)
                {
                    string expected = input.Shape == RecordShape.KeyValue ? $"Grouped<{input.Value!.Display}>" : $"Grouped<{input.Key!.Display}, {input.Value!.Display}>";
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "GroupByKey",
                        $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but a group of '{input.Type.Display}' records is '{expected}': '{shape}'");
                    return;
                }

                draft.SetOutput(new RecordType(RecordShape.Group, NameOf(method.ReturnType), input.Key, input.Value), method.ReturnType, upstream.KeySymbol, upstream.ValueSymbol);
            }

            // Joins, cogroup, transform, transformWith and forEachBatch: a function of whole batches or of joined values.
            private void CheckBatchFunction(Draft draft, Draft? upstream, Draft? other)
            {
                IMethodSymbol method = draft.Method;
                string attribute = draft.Kind.ToString();
                if (!method.IsStatic || method.IsGenericMethod || RefProblem(method) is not null || IsPartialDeclarationOnly(method))
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                        !method.IsStatic ? "it must be static" : IsPartialDeclarationOnly(method) ? "it has no body" : method.IsGenericMethod ? "it has type parameters" : RefProblem(method)!);
                    return;
                }

                if (upstream?.Output is null || (IsTwoInput(draft.Kind) && other?.Output is null))
                {
                    return;
                }

                switch (draft.Kind)
                {
                    case StageKind.Transform or StageKind.ForEachBatch or StageKind.TransformWith:
                        CheckTransform(draft, upstream, other);
                        return;
                }

                // The joins: both inputs keyed by the same key.
                if (!RequireKeyedInput(draft, upstream) || !RequireKeyedInput(draft, other!))
                {
                    return;
                }

                RecordType left = upstream.Output;
                RecordType right = other!.Output!;
                bool sameKey = left.Shape == right.Shape && (left.Shape == RecordShape.KeyValue || SameType(upstream.KeySymbol, other.KeySymbol));
                if (!sameKey)
                {
                    Report(DiagnosticDescriptors.TwoInputsMismatch, ArgumentLocation(draft.Attribute, "Other") ?? method.Locations[0], draft.Name,
                        $"'{upstream.Name}' is keyed by '{left.Key!.Display}' and '{other.Name}' by '{right.Key!.Display}'; a join needs one key type on both sides");
                    return;
                }

                string key = left.Key!.Display;
                string v = left.Value!.Display;
                string w = right.Value!.Display;
                (string leftShape, string rightShape) = draft.Kind switch
                {
                    StageKind.LeftOuterJoin => (v, w + "?"),
                    StageKind.RightOuterJoin => (v + "?", w),
                    StageKind.FullOuterJoin => (v + "?", w + "?"),
                    StageKind.Cogroup => ($"ReadOnlySpan<{v}>", $"ReadOnlySpan<{w}>"),
                    _ => (v, w),
                };
                string shape = $"static R {draft.Name}({key} key, {leftShape} left, {rightShape} right)";
                bool fits = method.Parameters.Length == 3 && !method.ReturnsVoid
                    && (left.Shape == RecordShape.KeyValue ? IsByteSpan(method.Parameters[0].Type) : SameType(method.Parameters[0].Type, upstream.KeySymbol))
                    && FitsSide(method.Parameters[1].Type, upstream.ValueSymbol!, leftShape)
                    && FitsSide(method.Parameters[2].Type, other.ValueSymbol!, rightShape);
                if (!fits)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                        $"it takes the key and one value of each side ({(draft.Kind == StageKind.Join ? "" : "null where a side has none, so a value type; ")}the outer joins need struct values): {shape}");
                    return;
                }

                draft.Arity = InputArity.KeyAndValue;
                SetClassifiedOutput(draft, method.ReturnType);
            }

            // A join parameter: the value, a nullable value (outer side), or a span of values (cogroup).
            private static bool FitsSide(ITypeSymbol parameter, ITypeSymbol value, string shape) =>
                shape.EndsWith("?", StringComparison.Ordinal) ? NullableOf(parameter) is { } underlying && SameType(underlying, value)
                : shape.StartsWith("ReadOnlySpan<", StringComparison.Ordinal)
                    ? parameter is INamedTypeSymbol span && span.OriginalDefinition.ToDisplayString() == KnownNames.ReadOnlySpan && SameType(span.TypeArguments[0], value)
                : SameType(parameter, value);

            // [Transform]: void Name(ReadOnlySpan<T>, RecordBuffer<U>); [TransformWith]: (ReadOnlySpan<T>, ReadOnlySpan<U>, RecordBuffer<R>);
            // [ForEachBatch]: void Name(ReadOnlySpan<T>, long batchTime). The records are kept for the batch, so T is no ref struct.
            private void CheckTransform(Draft draft, Draft upstream, Draft? other)
            {
                IMethodSymbol method = draft.Method;
                string t = upstream.Output!.Type.Display;
                string shape = draft.Kind switch
                {
                    StageKind.Transform => $"static void {draft.Name}(ReadOnlySpan<{t}> records, RecordBuffer<U> output)",
                    StageKind.TransformWith => $"static void {draft.Name}(ReadOnlySpan<{t}> records, ReadOnlySpan<{other!.Output!.Type.Display}> others, RecordBuffer<R> output)",
                    _ => $"static void {draft.Name}(ReadOnlySpan<{t}> records, long batchTime)",
                };
                foreach (Draft input in other is null ? new[] { upstream } : new[] { upstream, other })
                {
                    if (input.Output!.Type.IsRefLike || input.OutputSymbol is null)
                    {
                        Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                            $"it is handed the batch's records in a span, but '{input.Name}' emits '{input.Output.Type.Display}', a ref struct that cannot be kept; map the records to another type first");
                        return;
                    }
                }

                int spans = other is null ? 1 : 2;
                bool fits = method.ReturnsVoid && method.Parameters.Length == spans + 1
                    && IsSpanOf(method.Parameters[0].Type, upstream.OutputSymbol!)
                    && (other is null || IsSpanOf(method.Parameters[1].Type, other.OutputSymbol!));
                ITypeSymbol last = fits ? method.Parameters[spans].Type : method.ReturnType;
                ITypeSymbol? produced = null;
                if (fits && draft.Kind == StageKind.ForEachBatch)
                {
                    fits = last.SpecialType == SpecialType.System_Int64;
                }
                else if (fits)
                {
                    produced = last is INamedTypeSymbol buffer && buffer.OriginalDefinition.ToDisplayString() == KnownNames.RecordBuffer ? buffer.TypeArguments[0] : null;
                    fits = produced is not null;
                }

                if (!fits)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        $"it takes the whole batch: {shape}");
                    return;
                }

                draft.Arity = InputArity.Record;
                if (produced is not null)
                {
                    SetClassifiedOutput(draft, produced);
                }
            }

            private static bool IsSpanOf(ITypeSymbol type, ITypeSymbol element) =>
                type is INamedTypeSymbol span && span.OriginalDefinition.ToDisplayString() == KnownNames.ReadOnlySpan && SameType(span.TypeArguments[0], element);

            private static bool IsWindowed(StageKind kind) =>
                kind is StageKind.Window or StageKind.ReduceByKeyAndWindow or StageKind.ReduceByWindow or StageKind.CountByWindow or StageKind.CountByValueAndWindow;

            // [ReduceByWindow]: static T Name(T a, T b) over records of type T, which the window keeps.
            private void CheckReduceByWindow(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (method.Parameters.Length != 2
                    || !SameType(method.Parameters[0].Type, method.Parameters[1].Type)
                    || !SameType(method.Parameters[0].Type, method.ReturnType))
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        $"a reduce function combines two records of one type into one: static T {draft.Name}(T a, T b)");
                    return;
                }

                if (method.ReturnType.IsRefLikeType)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        $"'{method.ReturnType.ToDisplayString(ShortFormat)}' is a ref struct, which cannot be kept across records; map the records to another type first");
                    return;
                }

                if (upstream?.Output is null)
                {
                    return;
                }

                if (upstream.OutputSymbol is null || !SameType(upstream.OutputSymbol, method.Parameters[0].Type))
                {
                    Report(DiagnosticDescriptors.StageInputMismatch, ParameterTypeLocation(method, 0), draft.Name,
                        Quote(method.Parameters[0].Type.ToDisplayString(ShortFormat)), upstream.Name, Quote(upstream.Output.Type.Display));
                    return;
                }

                draft.Arity = InputArity.Record;
                draft.SetOutput(upstream);
            }

            // [Window] and [CountByWindow] have no function: a partial method declares what they take and emit.
            private void CheckDeclaredStage(Draft draft, Draft? upstream, Draft? other = null)
            {
                IMethodSymbol method = draft.Method;
                string attribute = draft.Kind.ToString();
                string shape = draft.Kind switch
                {
                    StageKind.Window or StageKind.Union => $"public static partial T {draft.Name}(T record);",
                    StageKind.GroupByKey => $"public static partial Grouped<V> {draft.Name}(ReadOnlySpan<byte> key, V value);",
                    _ => $"public static partial long {draft.Name}(T record);",
                };
                string? problem =
                    !IsPartialDeclarationOnly(method) ? $"declare it partial with no body, '{shape}'; the generator implements it"
                    : !method.IsStatic ? "it must be static"
                    : method.IsGenericMethod ? "it must not have type parameters"
                    : method.Parameters.Length != 1 && !(draft.Kind == StageKind.GroupByKey && method.Parameters.Length == 2) ? $"it takes {method.Parameters.Length} parameters, but it takes the record: '{shape}'"
                    : WrittenAccessibility(method).Length == 0 ? "it has no access modifier, which C# requires of a partial method that returns a value; add 'public' or 'internal'"
                    : RefProblem(method);
                if (problem is not null)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute, problem);
                    return;
                }

                if (upstream?.Output is null || !MatchInput(draft, upstream))
                {
                    return;
                }

                if (draft.Kind == StageKind.GroupByKey)
                {
                    CheckGroupByKey(draft, upstream, shape);
                    return;
                }

                if (draft.Kind == StageKind.Union && other?.Output is not null)
                {
                    bool sameType = upstream.OutputSymbol is not null && other.OutputSymbol is not null
                        ? SameType(upstream.OutputSymbol, other.OutputSymbol)
                        : upstream.Output.Type.Code == other.Output.Type.Code;
                    if (!sameType)
                    {
                        Report(DiagnosticDescriptors.TwoInputsMismatch, ArgumentLocation(draft.Attribute, "Other") ?? method.Locations[0], draft.Name,
                            $"'{upstream.Name}' emits '{upstream.Output.Type.Display}' and '{other.Name}' emits '{other.Output.Type.Display}'; a union reads two streams of one type");
                        return;
                    }
                }

                if (draft.Kind is StageKind.CountByWindow or StageKind.Count)
                {
                    if (method.ReturnType.SpecialType != SpecialType.System_Int64)
                    {
                        Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                            $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but a count is a long: '{shape}'");
                        return;
                    }

                    draft.SetOutput(new RecordType(RecordShape.Value, NameOf(_int64), null, null), _int64, null, null);
                    return;
                }

                // [Window] and [Union]: the records as they are, so it returns what it takes.
                bool same = upstream.OutputSymbol is not null
                    ? SameType(method.ReturnType, upstream.OutputSymbol)
                    : method.ReturnType.ToDisplayString(CodeFormat) == upstream.Output.Type.Code || (upstream.Output.Shape == RecordShape.Bytes && IsByteSpan(method.ReturnType));
                if (!same)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                        $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but it emits the records it takes: '{upstream.Output.Type.Display}'");
                    return;
                }

                if (upstream.Output.Shape == RecordShape.Value && upstream.Output.Type.IsRefLike)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                        $"'{upstream.Output.Type.Display}' is a ref struct, which a window cannot keep; map the records to another type first");
                    return;
                }

                draft.SetOutput(upstream);
            }

            // Length and Slide of a windowed stage: durations, multiples of the batch interval and of the slide above;
            // Inverse and Filter: methods of the pipeline class that fit the reduce.
            private WindowModel? ReadWindow(Draft draft, Draft? upstream)
            {
                AttributeData attribute = draft.Attribute;
                string? lengthText = NamedArgument(attribute, "Length");
                string? slideText = NamedArgument(attribute, "Slide");
                long inputSlide = upstream?.SlideMs ?? _intervalMs;
                if (lengthText is null)
                {
                    Report(DiagnosticDescriptors.InvalidWindow, draft.Method.Locations[0], draft.Name, "has no Length; give one, e.g. Length = \"30s\"");
                    return null;
                }

                long? length = WindowDuration(draft, "Length", lengthText, inputSlide, upstream);
                long? slide = slideText is null ? inputSlide : WindowDuration(draft, "Slide", slideText, inputSlide, upstream);
                if (length is null || slide is null)
                {
                    return null;
                }

                string? inverse = NamedArgument(attribute, "Inverse");
                string? filter = NamedArgument(attribute, "Filter");
                InputArity filterArity = InputArity.None;
                if (draft.Output is null)
                {
                    // The stage itself is wrong; its own diagnostic says why.
                    return new WindowModel(length.Value, slide.Value, inverse, filter, filterArity);
                }

                if (inverse is not null)
                {
                    CheckInverse(draft, inverse);
                }

                if (filter is not null)
                {
                    filterArity = CheckWindowFilter(draft, filter, inverse);
                }

                return new WindowModel(length.Value, slide.Value, inverse, filter, filterArity);
            }

            private long? WindowDuration(Draft draft, string name, string text, long inputSlide, Draft? upstream)
            {
                Location location = ArgumentLocation(draft.Attribute, name) ?? draft.Method.Locations[0];
                if (!DurationText.TryParse(text, out TimeSpan duration))
                {
                    Report(DiagnosticDescriptors.InvalidWindow, location, draft.Name,
                        $"has {name} '{text}', which is not a duration; write a number and a unit (ms, s, m or h), e.g. 30s");
                    return null;
                }

                long ms = (long)duration.TotalMilliseconds;
                if (ms % _intervalMs != 0)
                {
                    string interval = DurationText.Format(TimeSpan.FromMilliseconds(_intervalMs));
                    Report(DiagnosticDescriptors.InvalidWindow, location, draft.Name,
                        $"has {name} {DurationText.Format(duration)}, which is not a multiple of the batch interval {interval}; use a multiple of {interval}");
                    return null;
                }

                if (ms % inputSlide != 0 && upstream is not null)
                {
                    string slide = DurationText.Format(TimeSpan.FromMilliseconds(inputSlide));
                    Report(DiagnosticDescriptors.InvalidWindow, location, draft.Name,
                        $"has {name} {DurationText.Format(duration)}, which is not a multiple of {slide}, the slide of its input '{upstream.Name}'; use a multiple of {slide}");
                    return null;
                }

                return ms;
            }

            // The inverse of a reduce takes and returns what the reduce does.
            private void CheckInverse(Draft draft, string inverse)
            {
                ITypeSymbol value = draft.Kind == StageKind.ReduceByKeyAndWindow ? draft.ValueSymbol! : draft.OutputSymbol!;
                string type = value.ToDisplayString(ShortFormat);
                Location location = ArgumentLocation(draft.Attribute, "Inverse") ?? draft.Method.Locations[0];
                IMethodSymbol[] candidates = draft.Method.ContainingType.GetMembers(inverse).OfType<IMethodSymbol>().ToArray();
                string? why =
                    candidates.Length == 0 ? "the pipeline class has no method of that name"
                    : candidates.FirstOrDefault(m => m.Parameters.Length == 2 && SameType(m.Parameters[0].Type, value) && SameType(m.Parameters[1].Type, value) && SameType(m.ReturnType, value)) is not { } match
                        ? $"'{inverse}' does not take two '{type}' values and return one"
                    : !match.IsStatic ? $"'{inverse}' is not static"
                    : match.IsGenericMethod ? $"'{inverse}' has type parameters"
                    : null;
                if (why is not null)
                {
                    Report(DiagnosticDescriptors.InverseMismatch, location, draft.Name, inverse, why, type);
                }
            }

            // A window filter keeps a key: static bool Keep(K key, V value), or Keep(record); it needs an inverse.
            private InputArity CheckWindowFilter(Draft draft, string filter, string? inverse)
            {
                Location location = ArgumentLocation(draft.Attribute, "Filter") ?? draft.Method.Locations[0];
                RecordType record = draft.Output!;
                string key = record.Key?.Display ?? "K";
                string value = record.Value?.Display ?? "V";
                string shape = $"declare 'static bool {filter}({key} key, {value} value)' in the pipeline class";
                if (inverse is null)
                {
                    Report(DiagnosticDescriptors.WindowFilterMismatch, location, draft.Name, filter,
                        $"a filter drops keys from a window kept up to date with an inverse function, and there is none; add Inverse = nameof(...) or remove the filter");
                    return InputArity.None;
                }

                foreach (IMethodSymbol candidate in draft.Method.ContainingType.GetMembers(filter).OfType<IMethodSymbol>())
                {
                    if (!candidate.IsStatic || candidate.IsGenericMethod || candidate.ReturnType.SpecialType != SpecialType.System_Boolean)
                    {
                        continue;
                    }

                    if (candidate.Parameters.Length == 2
                        && (record.Shape == RecordShape.KeyValue ? IsByteSpan(candidate.Parameters[0].Type) : SameType(candidate.Parameters[0].Type, draft.KeySymbol))
                        && SameType(candidate.Parameters[1].Type, draft.ValueSymbol))
                    {
                        return InputArity.KeyAndValue;
                    }

                    if (candidate.Parameters.Length == 1 && candidate.Parameters[0].Type.ToDisplayString(CodeFormat) == record.Type.Code)
                    {
                        return InputArity.Record;
                    }
                }

                Report(DiagnosticDescriptors.WindowFilterMismatch, location, draft.Name, filter,
                    $"the pipeline class has no static method '{filter}' that takes a key '{key}' and a value '{value}' and returns bool; {shape}");
                return InputArity.None;
            }

            private void CheckFlatMap(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                ITypeSymbol? element = ElementType(method.ReturnType);
                if (element is null)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "FlatMap",
                        $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', which foreach cannot walk; return an enumerable such as Utf8Words");
                    return;
                }

                if (method.ReturnType.IsReferenceType)
                {
                    Report(DiagnosticDescriptors.FlatMapAllocates, method.Locations[0], draft.Name, Quote(method.ReturnType.ToDisplayString(ShortFormat)));
                }

                if (RequireArity(draft, "static TEnumerable " + draft.Name + "(TIn record)") && upstream?.Output is not null && MatchInput(draft, upstream))
                {
                    SetClassifiedOutput(draft, element);
                }
            }

            private void CheckReduceByKey(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (method.Parameters.Length != 2
                    || !SameType(method.Parameters[0].Type, method.Parameters[1].Type)
                    || !SameType(method.Parameters[0].Type, method.ReturnType))
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        $"a reduce function combines two values of one type into one: static V {draft.Name}(V a, V b)");
                    return;
                }

                if (upstream?.Output is null)
                {
                    return;
                }

                if (!upstream.Output.IsKeyed)
                {
                    Report(DiagnosticDescriptors.KeyedInputRequired, method.Locations[0], draft.Name, upstream.Name, Quote(upstream.Output.Type.Display));
                    return;
                }

                if (upstream.Output.Shape == RecordShape.Tuple && !IsStructKey(upstream.KeySymbol))
                {
                    Report(DiagnosticDescriptors.UnsupportedKeyType, method.Locations[0], draft.Name, Quote(upstream.Output.Key!.Display));
                    return;
                }

                if (upstream.ValueSymbol is null || !SameType(upstream.ValueSymbol, method.Parameters[0].Type))
                {
                    Report(DiagnosticDescriptors.StageInputMismatch, ParameterTypeLocation(method, 0), draft.Name,
                        $"values of type {Quote(method.Parameters[0].Type.ToDisplayString(ShortFormat))}", upstream.Name,
                        $"{Quote(upstream.Output.Type.Display)} (values of type {Quote(upstream.Output.Value!.Display)})");
                    return;
                }

                draft.Arity = InputArity.KeyAndValue;
                draft.SetOutput(upstream);
                if (upstream.Output.Shape == RecordShape.Tuple)
                {
                    WarnIfKeyBoxes(draft, upstream.KeySymbol!, upstream.Output.Key!);
                }
            }

            private void CheckCountByValue(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (!RequireArity(draft, "static TValue " + draft.Name + "(TIn record) returns the value to count") || upstream?.Output is null || !MatchInput(draft, upstream))
                {
                    return;
                }

                ITypeSymbol counted = method.ReturnType;
                TypeName count = NameOf(_int64);
                if (IsByteSpan(counted))
                {
                    var output = new RecordType(RecordShape.KeyValue, new TypeName("global::Compiled.KeyValue<long>", "KeyValue<long>", TextFormat.Object, IsRefLike: true), ByteSpanName, count);
                    draft.SetOutput(output, null, null, _int64);
                }
                else if (IsStructKey(counted))
                {
                    INamedTypeSymbol tuple = _compilation.CreateTupleTypeSymbol(ImmutableArray.Create(counted, (ITypeSymbol)_int64));
                    draft.SetOutput(new RecordType(RecordShape.Tuple, NameOf(tuple), NameOf(counted), count), tuple, counted, _int64);
                    WarnIfKeyBoxes(draft, counted, NameOf(counted));
                }
                else
                {
                    Report(DiagnosticDescriptors.UnsupportedKeyType, method.Locations[0], draft.Name, Quote(counted.ToDisplayString(ShortFormat)));
                }
            }

            // The struct key table hashes through a constrained call to GetHashCode, which boxes a struct that
            // inherits ValueType.GetHashCode. Primitives, enums, tuples and record structs hash without boxing.
            private void WarnIfKeyBoxes(Draft draft, ITypeSymbol key, TypeName name)
            {
                bool hashesInPlace = key.SpecialType != SpecialType.None
                    || key.TypeKind == TypeKind.Enum
                    || key.IsTupleType
                    || key.IsRecord
                    || key.GetMembers(nameof(GetHashCode)).OfType<IMethodSymbol>().Any(m => m.IsOverride && m.Parameters.Length == 0);
                if (!hashesInPlace)
                {
                    Report(DiagnosticDescriptors.KeyBoxes, draft.Method.Locations[0], draft.Name, Quote(name.Display));
                }
            }

            // Map, Filter, FlatMap and CountByValue take the record, or the key and value of a keyed record.
            private bool RequireArity(Draft draft, string shape)
            {
                int count = draft.Method.Parameters.Length;
                if (count is 1 or 2)
                {
                    return true;
                }

                Report(DiagnosticDescriptors.UnsupportedOperatorSignature, draft.Method.Locations[0], draft.Name, draft.Kind.ToString(),
                    $"it takes {count} parameters; a [{draft.Kind}] takes the record (or a key and a value): {shape}");
                return false;
            }

            // Checks the stage's parameters against what its input emits, and records how they are passed.
            private bool MatchInput(Draft draft, Draft upstream)
            {
                IMethodSymbol method = draft.Method;
                RecordType emitted = upstream.Output!;
                if (method.Parameters.Any(p => p.Type.TypeKind == TypeKind.Error))
                {
                    // The compiler reports the unknown type; a second message about it would only be noise.
                    _hasErrors = true;
                    return false;
                }

                if (method.Parameters.Length == 1 && SameType(method.Parameters[0].Type, upstream.OutputSymbol, emitted))
                {
                    draft.Arity = InputArity.Record;
                    return true;
                }

                if (method.Parameters.Length == 2 && emitted.IsKeyed
                    && (emitted.Shape == RecordShape.KeyValue ? IsByteSpan(method.Parameters[0].Type) : SameType(method.Parameters[0].Type, upstream.KeySymbol))
                    && SameType(method.Parameters[1].Type, upstream.ValueSymbol))
                {
                    draft.Arity = InputArity.KeyAndValue;
                    return true;
                }

                string takes = method.Parameters.Length == 1
                    ? Quote(method.Parameters[0].Type.ToDisplayString(ShortFormat))
                    : $"a key {Quote(method.Parameters[0].Type.ToDisplayString(ShortFormat))} and a value {Quote(method.Parameters[1].Type.ToDisplayString(ShortFormat))}";

                // Point at the parameter that is wrong: the value's when a key and value are given and the key fits.
                bool keyFits = method.Parameters.Length == 2 && emitted.IsKeyed
                    && (emitted.Shape == RecordShape.KeyValue ? IsByteSpan(method.Parameters[0].Type) : SameType(method.Parameters[0].Type, upstream.KeySymbol));
                Report(DiagnosticDescriptors.StageInputMismatch, ParameterTypeLocation(method, keyFits ? 1 : 0), draft.Name, takes, upstream.Name, Quote(emitted.Type.Display));
                return false;
            }

            private void CheckDefaultUri(Draft draft, string role, string[][] schemes)
            {
                if (draft.DefaultUri is null)
                {
                    return;
                }

                string scheme = KnownSchemes.SchemeOf(draft.DefaultUri);
                if (!KnownSchemes.Contains(schemes, scheme))
                {
                    Report(DiagnosticDescriptors.UnknownUriScheme, ArgumentLocation(draft.Attribute, "Default") ?? draft.Method.Locations[0],
                        draft.DefaultUri, role, draft.Name, scheme, KnownSchemes.Usage(schemes));
                }
            }

            // What a [Map] or [FlatMap] emits, by the shape of its type.
            private static void SetClassifiedOutput(Draft draft, ITypeSymbol type)
            {
                if (IsByteSpan(type))
                {
                    draft.SetOutput(new RecordType(RecordShape.Bytes, ByteSpanName, null, null), type, null, null);
                }
                else if (type is INamedTypeSymbol named && named.OriginalDefinition.ToDisplayString() == KnownNames.KeyValue)
                {
                    ITypeSymbol value = named.TypeArguments[0];
                    draft.SetOutput(new RecordType(RecordShape.KeyValue, NameOf(type), ByteSpanName, NameOf(value)), type, null, value);
                }
                else if (type is INamedTypeSymbol { IsTupleType: true } tuple && tuple.TupleElements.Length == 2)
                {
                    ITypeSymbol key = tuple.TupleElements[0].Type;
                    ITypeSymbol value = tuple.TupleElements[1].Type;
                    draft.SetOutput(new RecordType(RecordShape.Tuple, NameOf(type), NameOf(key), NameOf(value)), type, key, value);
                }
                else
                {
                    draft.SetOutput(new RecordType(RecordShape.Value, NameOf(type), null, null), type, null, null);
                }
            }

            private static TypeName ByteSpanName { get; } = new("global::System.ReadOnlySpan<byte>", "ReadOnlySpan<byte>", TextFormat.Bytes, IsRefLike: true);

            private static TypeName NameOf(ITypeSymbol type) =>
                new(type.ToDisplayString(CodeFormat), type.ToDisplayString(ShortFormat), FormatOf(type), type.IsRefLikeType);

            private static TextFormat FormatOf(ITypeSymbol type)
            {
                if (IsByteSpan(type))
                {
                    return TextFormat.Bytes;
                }

                if (type.SpecialType == SpecialType.System_Boolean)
                {
                    return TextFormat.Boolean;
                }

                if (type.AllInterfaces.Any(i => i.ToDisplayString() == KnownNames.Utf8SpanFormattable))
                {
                    return TextFormat.Utf8Formattable;
                }

                return type.IsRefLikeType ? TextFormat.None : TextFormat.Object;
            }

            // How a sink would print a record: None if any part cannot be printed.
            private static TextFormat TextFormatOf(RecordType record) => record.Shape switch
            {
                RecordShape.KeyValue => record.Value!.Format == TextFormat.None ? TextFormat.None : TextFormat.Object,
                RecordShape.Tuple or RecordShape.Group or RecordShape.Windowed => record.Key!.Format == TextFormat.None || record.Value!.Format == TextFormat.None ? TextFormat.None : TextFormat.Object,
                _ => record.Type.Format,
            };

            private static bool IsByteSpan(ITypeSymbol? type) =>
                type is INamedTypeSymbol named
                && named.OriginalDefinition.ToDisplayString() == KnownNames.ReadOnlySpan
                && named.TypeArguments[0].SpecialType == SpecialType.System_Byte;

            // A struct key must compare by value without boxing: IEquatable<itself>.
            // An enum, or a struct that implements IEquatable<itself>: both compare by value without boxing.
            private static bool IsStructKey(ITypeSymbol? type) =>
                type is { IsValueType: true, IsRefLikeType: false }
                && (type.TypeKind == TypeKind.Enum
                    || type.AllInterfaces.Any(i => i.OriginalDefinition.ToDisplayString() == KnownNames.Equatable
                        && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type)));

            private static bool SameType(ITypeSymbol? a, ITypeSymbol? b) =>
                a is not null && b is not null && SymbolEqualityComparer.Default.Equals(Strip(a), Strip(b));

            // The upstream's type is either a symbol or, for records the generator composes, only a name.
            private static bool SameType(ITypeSymbol parameter, ITypeSymbol? emittedSymbol, RecordType emitted) =>
                emittedSymbol is not null ? SameType(parameter, emittedSymbol)
                : emitted.Shape == RecordShape.Bytes ? IsByteSpan(parameter)
                : parameter.ToDisplayString(CodeFormat) == emitted.Type.Code;

            // Tuple element names do not make a different type.
            private static ITypeSymbol Strip(ITypeSymbol type) =>
                type is INamedTypeSymbol { IsTupleType: true, TupleUnderlyingType: { } underlying } ? underlying : type;

            // The element type that foreach yields: the GetEnumerator pattern, then IEnumerable<T>.
            private static ITypeSymbol? ElementType(ITypeSymbol type)
            {
                if (type is IArrayTypeSymbol array)
                {
                    return array.ElementType;
                }

                for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
                {
                    IMethodSymbol? getEnumerator = current.GetMembers("GetEnumerator").OfType<IMethodSymbol>()
                        .FirstOrDefault(m => !m.IsStatic && m.Parameters.Length == 0 && m.DeclaredAccessibility == Accessibility.Public);
                    if (getEnumerator is not null)
                    {
                        IPropertySymbol? current2 = getEnumerator.ReturnType.GetMembers("Current").OfType<IPropertySymbol>().FirstOrDefault()
                            ?? getEnumerator.ReturnType.AllInterfaces.SelectMany(i => i.GetMembers("Current").OfType<IPropertySymbol>()).FirstOrDefault(p => p.Type.SpecialType != SpecialType.System_Object);
                        return current2?.Type;
                    }
                }

                INamedTypeSymbol? enumerable = type.AllInterfaces.FirstOrDefault(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T);
                return enumerable?.TypeArguments[0];
            }

            private static string? RefProblem(IMethodSymbol method)
            {
                foreach (IParameterSymbol parameter in method.Parameters)
                {
                    if (parameter.RefKind is not (RefKind.None or RefKind.In))
                    {
                        return $"parameter '{parameter.Name}' is passed by {parameter.RefKind.ToString().ToLowerInvariant()}; take it by value";
                    }
                }

                return null;
            }

            private static bool IsPartialDeclarationOnly(IMethodSymbol method) =>
                method.IsPartialDefinition && method.PartialImplementationPart is null;

            private static string SuggestSinkParameters(RecordType? record) => record?.Shape switch
            {
                RecordShape.KeyValue => $"ReadOnlySpan<byte> key, {record.Value!.Display} value",
                RecordShape.Tuple => $"{record.Key!.Display} key, {record.Value!.Display} value",
                RecordShape.Value => $"{record.Type.Display} record",
                _ => "ReadOnlySpan<byte> record",
            };

            // The implementation's signature, copied from the user's partial declaration; null when no implementation
            // can compile: a method with a body, or one without an access modifier that C# requires to have one
            // (CMP0009 or CMP0010 says so, and the compiler's own error stays on the user's line).
            private string? ImplementationSignature(IMethodSymbol method)
            {
                if (!IsPartialDeclarationOnly(method))
                {
                    return null;
                }

                // Both parts must say the same: the accessibility exactly as written, or none for C#'s default.
                string accessibility = WrittenAccessibility(method);
                if (accessibility.Length == 0 && (!method.ReturnsVoid || method.Parameters.Any(p => p.RefKind == RefKind.Out)))
                {
                    return null;
                }

                string parameters = string.Join(", ", method.Parameters.Select(p =>
                    (p.IsParams ? "params " : "")
                    + (p.ScopedKind == ScopedKind.ScopedValue ? "scoped " : "")
                    + p.RefKind switch
                    {
                        RefKind.Ref => "ref ",
                        RefKind.Out => "out ",
                        RefKind.In => "in ",
                        RefKind.RefReadOnlyParameter => "ref readonly ",
                        _ => "",
                    }
                    + p.Type.ToDisplayString(CodeFormat) + " " + Identifier(p.Name)));
                string returns = method.ReturnsVoid ? "void"
                    : (method.ReturnsByRefReadonly ? "ref readonly " : method.ReturnsByRef ? "ref " : "") + method.ReturnType.ToDisplayString(CodeFormat);
                return $"{(accessibility.Length == 0 ? "" : accessibility + " ")}{(method.IsStatic ? "static " : "")}partial {returns} {Identifier(method.Name)}({parameters})";
            }

            // The access modifiers on the method's declaration as the user wrote them ("public", "protected internal"),
            // or "" when there are none.
            private string WrittenAccessibility(IMethodSymbol method)
            {
                foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(_cancellationToken) is MethodDeclarationSyntax declaration)
                    {
                        return string.Join(" ", declaration.Modifiers
                            .Where(m => m.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.InternalKeyword or SyntaxKind.ProtectedKeyword or SyntaxKind.PrivateKeyword)
                            .Select(m => m.Text));
                    }
                }

                return "";
            }

            private static string Identifier(string name) =>
                SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

            private static string LocationText(IMethodSymbol method)
            {
                Location location = method.Locations[0];
                FileLinePositionSpan span = location.GetLineSpan();
                return $"{Path.GetFileName(span.Path)}:{span.StartLinePosition.Line + 1}";
            }

            private Location ParameterTypeLocation(IMethodSymbol method, int index)
            {
                if (method.Parameters.Length > index
                    && method.Parameters[index].DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is ParameterSyntax { Type: { } type })
                {
                    return type.GetLocation();
                }

                return method.Locations[0];
            }

            private Location? ArgumentLocation(AttributeData attribute, string name)
            {
                if (attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is AttributeSyntax { ArgumentList: { } arguments })
                {
                    foreach (AttributeArgumentSyntax argument in arguments.Arguments)
                    {
                        if (argument.NameEquals?.Name.Identifier.Text == name)
                        {
                            return argument.Expression.GetLocation();
                        }
                    }
                }

                return null;
            }

            private static string? NamedArgument(AttributeData attribute, string name)
            {
                foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                {
                    if (argument.Key == name)
                    {
                        return argument.Value.Value as string;
                    }
                }

                return null;
            }

            private static bool TryGetKind(string attribute, out StageKind kind)
            {
                switch (attribute)
                {
                    case KnownNames.SourceAttribute: kind = StageKind.Source; return true;
                    case KnownNames.MapAttribute: kind = StageKind.Map; return true;
                    case KnownNames.FilterAttribute: kind = StageKind.Filter; return true;
                    case KnownNames.FlatMapAttribute: kind = StageKind.FlatMap; return true;
                    case KnownNames.ReduceByKeyAttribute: kind = StageKind.ReduceByKey; return true;
                    case KnownNames.CountByValueAttribute: kind = StageKind.CountByValue; return true;
                    case KnownNames.SinkAttribute: kind = StageKind.Sink; return true;
                    case KnownNames.WindowAttribute: kind = StageKind.Window; return true;
                    case KnownNames.ReduceByKeyAndWindowAttribute: kind = StageKind.ReduceByKeyAndWindow; return true;
                    case KnownNames.ReduceByWindowAttribute: kind = StageKind.ReduceByWindow; return true;
                    case KnownNames.CountByWindowAttribute: kind = StageKind.CountByWindow; return true;
                    case KnownNames.CountByValueAndWindowAttribute: kind = StageKind.CountByValueAndWindow; return true;
                    case KnownNames.UpdateStateByKeyAttribute: kind = StageKind.UpdateStateByKey; return true;
                    case KnownNames.MapWithStateAttribute: kind = StageKind.MapWithState; return true;
                    case KnownNames.CountAttribute: kind = StageKind.Count; return true;
                    case KnownNames.ReduceAttribute: kind = StageKind.Reduce; return true;
                    case KnownNames.MapValuesAttribute: kind = StageKind.MapValues; return true;
                    case KnownNames.FlatMapValuesAttribute: kind = StageKind.FlatMapValues; return true;
                    case KnownNames.GroupByKeyAttribute: kind = StageKind.GroupByKey; return true;
                    case KnownNames.CombineByKeyAttribute: kind = StageKind.CombineByKey; return true;
                    case KnownNames.UnionAttribute: kind = StageKind.Union; return true;
                    case KnownNames.JoinAttribute: kind = StageKind.Join; return true;
                    case KnownNames.LeftOuterJoinAttribute: kind = StageKind.LeftOuterJoin; return true;
                    case KnownNames.RightOuterJoinAttribute: kind = StageKind.RightOuterJoin; return true;
                    case KnownNames.FullOuterJoinAttribute: kind = StageKind.FullOuterJoin; return true;
                    case KnownNames.CogroupAttribute: kind = StageKind.Cogroup; return true;
                    case KnownNames.TransformAttribute: kind = StageKind.Transform; return true;
                    case KnownNames.TransformWithAttribute: kind = StageKind.TransformWith; return true;
                    case KnownNames.ForEachBatchAttribute: kind = StageKind.ForEachBatch; return true;
                    case KnownNames.EventTimeAttribute: kind = StageKind.EventTime; return true;
                    case KnownNames.EventWindowAttribute: kind = StageKind.EventWindow; return true;
                    case KnownNames.SessionWindowAttribute: kind = StageKind.SessionWindow; return true;
                    default: kind = default; return false;
                }
            }

            private static string ShortAttributeName(string fullName)
            {
                string name = fullName.Substring(fullName.LastIndexOf('.') + 1);
                return name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
            }

            private static string Quote(string text) => "'" + text + "'";

            private void Report(DiagnosticDescriptor descriptor, Location location, params object[] arguments)
            {
                _hasErrors |= descriptor.DefaultSeverity == DiagnosticSeverity.Error;
                _diagnostics.Add(Diagnostic.Create(descriptor, location, arguments));
            }

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

                /// <summary>For the event-time stages, their watermark or window.</summary>
                public TimeModel? Time { get; set; }

                /// <summary>For a sink, whether it receives only an [EventTime] stage's late records.</summary>
                public bool LateOnly { get; set; }

                /// <summary>How often the stage's stream emits: the batch interval, or the slide of the nearest window above.</summary>
                public long SlideMs { get; set; }

            }
        }
    }
}
