using System.Collections.Generic;
using System.IO;
using System.Linq;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Compiled.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
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

                // [Source(Format = ...)]: how a [Record] struct is read here, when not as the record declares.
                int? format = draft.Attribute.NamedArguments.FirstOrDefault(a => a.Key == "Format").Value.Value is int written ? written : null;
                if (IsLines(method.ReturnType, out ITypeSymbol? record) && record is not null)
                {
                    // Lines<T>: each line is parsed as a T, which the stages below see.
                    draft.Parse = ParseOf(record, format);
                    if (format is not null && !Records.RecordParser.IsRecord(record))
                    {
                        Report(DiagnosticDescriptors.SourceSignature, ArgumentLocation(draft.Attribute, "Format") ?? method.Locations[0], draft.Name,
                            $"Format says how a [Record] struct is read, and '{record.ToDisplayString(ShortFormat)}' is not one; declare the type [Record], or remove Format");
                    }
                    else if (draft.Parse?.Json == true && Records.RecordParser.DeclaredFormat(record) != Records.RecordParser.JsonFormat
                        && Records.RecordParser.JsonPathProblemOf(record) is { } path)
                    {
                        Report(RecordDiagnosticDescriptors.InvalidJsonPath, ArgumentLocation(draft.Attribute, "Format") ?? method.Locations[0],
                            path.Column, path.Member, record.ToDisplayString(ShortFormat), path.Problem + $", or read {draft.Name} as CSV");
                    }

                    if (draft.Parse is null)
                    {
                        Report(DiagnosticDescriptors.SourceSignature, method.Locations[0], draft.Name,
                            $"a line cannot be read as '{record.ToDisplayString(ShortFormat)}'; use {FieldTypes.Usage()}, or a tuple of those, written as comma-separated fields");
                    }

                    SetClassifiedOutput(draft, record);
                }
                else if (IsLines(method.ReturnType, out _))
                {
                    if (format is not null)
                    {
                        Report(DiagnosticDescriptors.SourceSignature, ArgumentLocation(draft.Attribute, "Format") ?? method.Locations[0], draft.Name,
                            "Format says how a [Record] struct is read, and a Lines source reads lines of bytes; return Lines<T> of a [Record] struct, or remove Format");
                    }

                    // The source's records are its lines, whatever else is wrong with it, so the stages below can be checked.
                    draft.SetOutput(new RecordType(RecordShape.Bytes, ByteSpanName, null, null), null, null, null);
                }

                // A source that returns neither Lines nor Lines<T> emits records of no known type: the stages below are not
                // checked against a guess, which would report CMP0009's one mistake again as theirs.

                CheckDefaultUri(draft, "source", KnownSchemes.Sources);
            }

            // Lines (record null) or Lines<T> (record T).
            private bool IsLines(ITypeSymbol type, out ITypeSymbol? record)
            {
                record = null;
                if (SymbolEqualityComparer.Default.Equals(type, _known.Lines))
                {
                    return true;
                }

                if (type is INamedTypeSymbol { IsGenericType: true } generic && KnownTypes.Is(generic, _known.TypedLines))
                {
                    record = generic.TypeArguments[0];
                    return true;
                }

                return false;
            }

            // How a line becomes a T: a type Utf8Parse reads itself (string, DateTime, DateTimeOffset), an IUtf8SpanParsable<T>,
            // or a tuple of those; null if it cannot. FieldTypes lists them for the runtime and for CMP0009 alike.
            private SourceParse? ParseOf(ITypeSymbol record, int? format)
            {
                if (Records.RecordParser.IsRecord(record))
                {
                    // A [Record] struct: its generated TryReadCsv or TryReadJson reads each line (RecordGenerator writes both),
                    // by the source's Format, else the record's.
                    bool json = (format ?? Records.RecordParser.DeclaredFormat(record)) == Records.RecordParser.JsonFormat;
                    bool splittable = !json && Records.RecordParser.IsSingleLine(record) && Records.RecordParser.DeclaredHeader(record) != 0;
                    return new SourceParse($"global::Compiled.Lines<{record.ToDisplayString(CodeFormat)}>", record.ToDisplayString(ShortFormat),
                        EquatableArray<ParseField>.Empty, false, record.ToDisplayString(CodeFormat), json, splittable);
                }

                var fields = new List<ParseField>();
                bool tuple = record is INamedTypeSymbol { IsTupleType: true };
                IEnumerable<ITypeSymbol> types = tuple
                    ? ((INamedTypeSymbol)record).TupleElements.Select(e => e.Type)
                    : new[] { record };
                foreach (ITypeSymbol type in types)
                {
                    if (_known.HasOwnFieldParser(type))
                    {
                        fields.Add(new ParseField(type.SpecialType == SpecialType.System_String ? "string" : type.ToDisplayString(CodeFormat), FieldReader(type.SpecialType)));
                    }
                    else if (type.AllInterfaces.Any(i => KnownTypes.Is(i, _known.Utf8SpanParsable)
                        && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type)))
                    {
                        fields.Add(new ParseField(type.ToDisplayString(CodeFormat), FieldReader(type.SpecialType)));
                    }
                    else
                    {
                        return null;
                    }
                }

                string declaration = $"global::Compiled.Lines<{record.ToDisplayString(CodeFormat)}>";
                return new SourceParse(declaration, record.ToDisplayString(ShortFormat), fields.ToEquatableArray(), tuple);
            }

            // The Utf8Fields method that reads a field of this type in place from the line, or null for one it has none for.
            private static string? FieldReader(SpecialType type) => type switch
            {
                SpecialType.System_Int64 => "TryInt64",
                SpecialType.System_Int32 => "TryInt32",
                SpecialType.System_Int16 => "TryInt16",
                SpecialType.System_SByte => "TrySByte",
                SpecialType.System_UInt64 => "TryUInt64",
                SpecialType.System_UInt32 => "TryUInt32",
                SpecialType.System_UInt16 => "TryUInt16",
                SpecialType.System_Byte => "TryByte",
                SpecialType.System_Double => "TryDouble",
                SpecialType.System_Single => "TrySingle",
                SpecialType.System_Decimal => "TryDecimal",
                SpecialType.System_String => "TryString",
                _ => null,
            };

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

            // A default URI of a built-in scheme is bound here; any other waits for the connectors the compilation declares or
            // references (PipelineGenerator.Connectors.Check), which report CMP0007 if none declares it.
            private void CheckDefaultUri(Draft draft, string role, string[][] schemes)
            {
                if (draft.DefaultUri is null)
                {
                    return;
                }

                string scheme = KnownSchemes.SchemeOf(draft.DefaultUri);
                if (!KnownSchemes.Contains(schemes, scheme))
                {
                    _schemeChecks.Add(new SchemeCheck(role, draft.DefaultUri, draft.Name, scheme,
                        ArgumentLocation(draft.Attribute, "Default") ?? draft.Method.Locations[0]));
                }
            }

            private static string SuggestSinkParameters(RecordType? record) => record?.Shape switch
            {
                RecordShape.KeyValue => $"ReadOnlySpan<byte> key, {record.Value!.Display} value",
                RecordShape.Tuple => $"{record.Key!.Display} key, {record.Value!.Display} value",
                RecordShape.Bytes or null => "ReadOnlySpan<byte> record",
                _ => $"{record!.Type.Display} record",
            };
        }
    }
}
