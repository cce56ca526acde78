using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
            // How deep a key's tuples and structs are followed to find its text members.
            private const int MaxMemberDepth = 8;

            // The members of a tuple or of a user struct, in declaration order, as generated code reads them and as a
            // `with` expression sets them; `problem` names a member that generated code cannot set (a readonly or
            // inaccessible field, a property without set or init), or null when every member can be set.
            private List<(string Name, ITypeSymbol Type)>? SettableMembers(ITypeSymbol type, out string? problem)
            {
                problem = null;
                if (type is INamedTypeSymbol { IsTupleType: true } tuple)
                {
                    return tuple.TupleElements
                        .Select((e, i) => ("Item" + (i + 1).ToString(CultureInfo.InvariantCulture), e.Type))
                        .ToList();
                }

                if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct } named || !IsUserType(named))
                {
                    return null;
                }

                var members = new List<(string Name, ITypeSymbol Type)>();
                foreach (IFieldSymbol field in named.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst))
                {
                    if (field.AssociatedSymbol is IPropertySymbol property)
                    {
                        if (property.SetMethod is null || !_compilation.IsSymbolAccessibleWithin(property.SetMethod, _compilation.Assembly))
                        {
                            problem ??= $"its property '{property.Name}' has no set or init accessor the pipeline can call";
                        }

                        members.Add((property.Name, field.Type));
                    }
                    else
                    {
                        if (field.IsReadOnly || !_compilation.IsSymbolAccessibleWithin(field, _compilation.Assembly))
                        {
                            problem ??= $"its field '{field.Name}' is {(field.IsReadOnly ? "readonly" : "not accessible to the pipeline")}";
                        }

                        members.Add((field.Name, field.Type));
                    }
                }

                return members;
            }

            // An expression that is `expr` (of type `type`) with each Utf8Text member replaced by text of its own, or
            // null when it holds no text (or `problem` says why its text cannot be copied).
            private string? TextCopyOf(ITypeSymbol type, string expr, int depth, out string? problem)
            {
                problem = null;
                if (SymbolEqualityComparer.Default.Equals(type, _known.Utf8Text))
                {
                    return $"new global::Compiled.Utf8Text({expr}.Span)";
                }

                if (depth > MaxMemberDepth || !type.IsValueType || type.SpecialType != SpecialType.None || type.TypeKind == TypeKind.Enum)
                {
                    return null;
                }

                if (NullableOf(type) is { } inner)
                {
                    string? copy = TextCopyOf(inner, $"{expr}.GetValueOrDefault()", depth + 1, out problem);
                    return copy is null ? null : $"({expr}.HasValue ? ({type.ToDisplayString(CodeFormat)}){copy} : null)";
                }

                List<(string Name, ITypeSymbol Type)>? members = SettableMembers(type, out string? unsettable);
                if (members is null)
                {
                    return null;
                }

                var copies = new List<string>();
                foreach ((string name, ITypeSymbol memberType) in members)
                {
                    string? copy = TextCopyOf(memberType, $"{expr}.{name}", depth + 1, out string? memberProblem);
                    problem ??= memberProblem;
                    if (copy is not null)
                    {
                        copies.Add($"{name} = {copy}");
                    }
                }

                if (copies.Count == 0 || problem is not null)
                {
                    return null;
                }

                if (unsettable is not null)
                {
                    problem = $"{unsettable}, so its text cannot be copied into a key of the table's own";
                    return null;
                }

                return $"{expr} with {{ {string.Join(", ", copies)} }}";
            }

            // The members through which a checkpoint writes a tuple or user struct that holds references, each through
            // CheckpointValues<T> of its own type or, a tuple or struct in it, member by member in turn: empty unless
            // every member is a number or other unmanaged value, a string, a Utf8Text (which only a key table's own copy
            // can be written as) or such a tuple or struct, and each can be rebuilt from its members with `with`.
            private EquatableArray<CheckpointMember> CheckpointMembersOf(ITypeSymbol type, int depth = 0)
            {
                if (depth > MaxMemberDepth || type.IsUnmanagedType || !type.IsValueType || NullableOf(type) is not null)
                {
                    return EquatableArray<CheckpointMember>.Empty;
                }

                List<(string Name, ITypeSymbol Type)>? members = SettableMembers(type, out string? problem);
                if (members is null || members.Count == 0 || problem is not null)
                {
                    return EquatableArray<CheckpointMember>.Empty;
                }

                var written = new List<CheckpointMember>();
                foreach ((string name, ITypeSymbol member) in members)
                {
                    EquatableArray<CheckpointMember> inner = EquatableArray<CheckpointMember>.Empty;
                    bool writable = member.IsUnmanagedType
                        || member.SpecialType == SpecialType.System_String
                        || SymbolEqualityComparer.Default.Equals(member, _known.Utf8Text)
                        || (inner = CheckpointMembersOf(member, depth + 1)).Count > 0;
                    if (!writable)
                    {
                        return EquatableArray<CheckpointMember>.Empty;
                    }

                    written.Add(new CheckpointMember(name, member.ToDisplayString(CodeFormat), inner));
                }

                return written.ToEquatableArray();
            }
        }
    }
}
