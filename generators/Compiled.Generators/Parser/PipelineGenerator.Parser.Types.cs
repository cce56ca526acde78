using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
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
            private static ITypeSymbol? NullableOf(ITypeSymbol type) =>
                type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : null;

            private bool IsSpanOf(ITypeSymbol type, ITypeSymbol element) =>
                type is INamedTypeSymbol span && KnownTypes.Is(span, _known.ReadOnlySpan) && SameType(span.TypeArguments[0], element);

            // What a [Map] or [FlatMap] emits, by the shape of its type.
            private void SetClassifiedOutput(Draft draft, ITypeSymbol type)
            {
                if (IsByteSpan(type))
                {
                    draft.SetOutput(new RecordType(RecordShape.Bytes, ByteSpanName, null, null), type, null, null);
                }
                else if (type is INamedTypeSymbol named && KnownTypes.Is(named, _known.KeyValue))
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

            private static TypeName ByteSpanName { get; } = new("global::System.ReadOnlySpan<byte>", "ReadOnlySpan<byte>", TextFormat.Bytes, IsRefLike: true, Checkpoint: CheckpointForm.Bytes);

            private TypeName NameOf(ITypeSymbol type)
            {
                (CheckpointForm checkpoint, ITypeSymbol? codec, EquatableArray<CheckpointMember> members) = CheckpointFormOf(type);
                string? textCopy = SymbolEqualityComparer.Default.Equals(type, _known.Utf8Text) ? null : TextCopyOf(type, "key", 0, out _);
                return new(type.ToDisplayString(CodeFormat), type.ToDisplayString(ShortFormat), FormatOf(type), type.IsRefLikeType, FieldsOf(type),
                    checkpoint, codec?.ToDisplayString(CodeFormat), Records.RecordWriterFields.Of(type, "", ""), textCopy, members);
            }

            // How a checkpoint writes a value of the type: through its own ICheckpointValue<T> (a nullable's struct's), which
            // the job registers; as UTF-8, a string (and a Utf8Text key: KeptTypes); as its bytes, when it holds no
            // references; member by member, a tuple or struct of numbers and strings; or not at all. The members are those a
            // checkpoint writes member by member, also for a type holding a Utf8Text, which only a key can be (KeptTypes).
            private (CheckpointForm Form, ITypeSymbol? Codec, EquatableArray<CheckpointMember> Members) CheckpointFormOf(ITypeSymbol type)
            {
                EquatableArray<CheckpointMember> none = EquatableArray<CheckpointMember>.Empty;
                ITypeSymbol underlying = NullableOf(type) ?? type;
                if (underlying.AllInterfaces.Any(i => KnownTypes.Is(i, _known.CheckpointValue) && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], underlying)))
                {
                    return (CheckpointForm.Codec, underlying, none);
                }

                if (type.SpecialType == SpecialType.System_String)
                {
                    return (CheckpointForm.Text, null, none);
                }

                if (type.IsUnmanagedType || IsByteSpan(type))
                {
                    return (CheckpointForm.Bytes, null, none);
                }

                EquatableArray<CheckpointMember> members = CheckpointMembersOf(type);
                return (members.Count > 0 && TextMemberOf(type, "", 0) is null ? CheckpointForm.Members : CheckpointForm.Unwritable, null, members);
            }

            // The fields of the user types a type is made of (itself, its type arguments, its fields' types), each as
            // "Type { FieldType name; ... }" in declaration order: what a checkpoint's state layout compares, since a
            // value kept as its bytes reads wrongly once a field changes. Types of the framework and of Compiled are left
            // out: their layout goes with their version.
            private static string FieldsOf(ITypeSymbol type)
            {
                var described = new List<string>();
                var seen = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
                DescribeFields(type, described, seen);
                return string.Join(" ", described);
            }

            private static void DescribeFields(ITypeSymbol type, List<string> described, HashSet<ITypeSymbol> seen)
            {
                if (type is IArrayTypeSymbol array)
                {
                    DescribeFields(array.ElementType, described, seen);
                    return;
                }

                if (type is not INamedTypeSymbol named || !seen.Add(named))
                {
                    return;
                }

                foreach (ITypeSymbol argument in named.TypeArguments)
                {
                    DescribeFields(argument, described, seen);
                }

                if (!IsUserType(named))
                {
                    return;
                }

                if (named.TypeKind == TypeKind.Enum)
                {
                    described.Add($"{named.ToDisplayString(CodeFormat)} : {named.EnumUnderlyingType?.ToDisplayString(CodeFormat)};");
                    return;
                }

                IFieldSymbol[] fields = named.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).ToArray();
                described.Add($"{named.ToDisplayString(CodeFormat)} {{ {string.Concat(fields.Select(f => $"{f.Type.ToDisplayString(CodeFormat)} {(f.AssociatedSymbol ?? f).Name}; "))}}}");
                foreach (IFieldSymbol field in fields)
                {
                    DescribeFields(field.Type, described, seen);
                }
            }

            private static bool IsUserType(INamedTypeSymbol type)
            {
                INamespaceSymbol? root = type.ContainingNamespace;
                while (root is { ContainingNamespace.IsGlobalNamespace: false })
                {
                    root = root.ContainingNamespace;
                }

                return type.TypeKind is TypeKind.Struct or TypeKind.Class or TypeKind.Enum
                    && root?.Name is not ("System" or "Microsoft")
                    && type.ContainingAssembly?.Name is not ("Compiled" or "System.Runtime" or "System.Private.CoreLib" or "netstandard" or "mscorlib");
            }

            private TextFormat FormatOf(ITypeSymbol type)
            {
                if (IsByteSpan(type))
                {
                    return TextFormat.Bytes;
                }

                if (type.SpecialType == SpecialType.System_Boolean)
                {
                    return TextFormat.Boolean;
                }

                if (type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, _known.Utf8SpanFormattable)))
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

            private bool IsByteSpan(ITypeSymbol? type) =>
                type is INamedTypeSymbol named
                && KnownTypes.Is(named, _known.ReadOnlySpan)
                && named.TypeArguments[0].SpecialType == SpecialType.System_Byte;

            // A key a table can keep: a string (compared ordinally), an enum, or a struct that implements IEquatable<itself>
            // (both compare by value without boxing). A Utf8Text is such a struct, which the table copies once per new key.
            private bool IsValueKey(ITypeSymbol? type) =>
                type is { SpecialType: SpecialType.System_String }
                || type is { IsValueType: true, IsRefLikeType: false }
                && (type.TypeKind == TypeKind.Enum
                    || type.AllInterfaces.Any(i => KnownTypes.Is(i, _known.Equatable) && SameType(i.TypeArguments[0], type)));

            // Why a key table cannot keep keys of the type (the end of CMP0014's message), or null if it can.
            private string? KeyRefusal(ITypeSymbol key)
            {
                if (!IsValueKey(key))
                {
                    return "which is neither a byte span, a string, Utf8Text nor a struct with value equality; key by bytes (KeyValue<V>), by a string, or by a struct that implements IEquatable<T>";
                }

                // A tuple or struct holding Utf8Text is kept as a copy with its text members copied (TextCopyOf), which
                // needs every member of the structs on the way settable.
                string? text = SymbolEqualityComparer.Default.Equals(key, _known.Utf8Text) ? null : TextMemberOf(key, "", 0);
                if (text is null || TextCopyOf(key, "key", 0, out string? problem) is not null)
                {
                    return null;
                }

                return $"which holds a Utf8Text ('{text}'), a slice of the source's buffer that the next record reuses, and the table cannot take its own copy of the key: "
                    + (problem ?? "a struct on the way to it is not one whose members the pipeline can set")
                    + "; make the members settable (a field, or a property with set or init: a record struct's are), key by the text alone, or make that member a string (text.ToString())";
            }

            // The path of a Utf8Text member inside a struct key (a tuple's element or a record's field), or null if none.
            private string? TextMemberOf(ITypeSymbol type, string path, int depth)
            {
                if (depth > 0 && SymbolEqualityComparer.Default.Equals(type, _known.Utf8Text))
                {
                    return path;
                }

                if (depth > 8 || !type.IsValueType || type.SpecialType != SpecialType.None || type.TypeKind == TypeKind.Enum)
                {
                    return null;
                }

                IEnumerable<(string Name, ITypeSymbol Type)> members = type is INamedTypeSymbol { IsTupleType: true } tuple
                    ? tuple.TupleElements.Select(e => (e.Name, e.Type))
                    : type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).Select(f => ((f.AssociatedSymbol ?? f).Name, f.Type));
                foreach ((string name, ITypeSymbol member) in members)
                {
                    if (TextMemberOf(member, path.Length == 0 ? name : path + "." + name, depth + 1) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            }

            private bool SameType(ITypeSymbol? a, ITypeSymbol? b) =>
                a is not null && b is not null && SymbolEqualityComparer.Default.Equals(Strip(a), Strip(b));

            // The upstream's type is either a symbol or, for records the generator composes, only a name.
            private bool SameType(ITypeSymbol parameter, ITypeSymbol? emittedSymbol, RecordType emitted) =>
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
        }
    }
}
