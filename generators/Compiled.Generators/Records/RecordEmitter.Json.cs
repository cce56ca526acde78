using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Compiled.Generators.Helpers;

namespace Compiled.Generators.Records
{
    /// <summary>
    /// The JSON-lines parser of a record: its <c>JsonLayout</c>, a <c>TryReadJson</c> that catches what
    /// <c>Utf8JsonReader</c> throws for malformed JSON, and a <c>ReadJson</c> without an exception handler that walks
    /// the line with a <c>JsonLineReader</c> (the runtime's tokenizer of well-formed lines, which hands anything else to
    /// <c>Utf8JsonReader</c>): first a pass over the usual shape (every property once, in declaration order, each name
    /// compared as it is scanned), then, for a line of any other shape, read again from its start, a loop over the object's properties, each compared with the names of one level of the members' paths
    /// (a nested loop for a name that leads into a nested object), unknown ones skipped, each member's value read into
    /// a local with a flag saying it was seen. Missing or null members take their default, or refuse the record. A mask
    /// of the members a pipeline's stages read says which values are converted: the others are scanned (the line must
    /// still be well-formed) but not converted, and left default.
    /// </summary>
    internal static partial class RecordEmitter
    {
        private const string Json = "global::System.Text.Json";
        private const string Token = Json + ".JsonTokenType";

        // One level of the members' paths: a name, and either the member it reads or the names under it.
        private sealed class PathNode
        {
            public PathNode(string name) => Name = name;

            public string Name { get; }

            public int Member { get; set; } = -1;

            // For a name that leads into an object (or the line's object), its number among them: its JsonName method.
            public int Object { get; set; }

            public List<PathNode> Children { get; } = new List<PathNode>();

            public IEnumerable<int> Members() => Member >= 0 ? new[] { Member } : Children.SelectMany(c => c.Members());
        }

        private static void EmitJson(SourceWriter w, RecordModel model)
        {
            string policy = PolicyName(model);
            w.Line($"/// <summary>How a JSON line becomes a {model.Name}: bad-record policy and each member's property path.</summary>");
            w.Line($"public static readonly {Runtime}.JsonLayout JsonLayout = new(");
            w.Line($"    {Literal(model.Name)}, {Runtime}.BadRecordPolicy.{policy},");
            w.Line($"    new string[] {{ {string.Join(", ", model.Members.Select(m => Literal(m.Name)))} }},");
            w.Line($"    new string[] {{ {string.Join(", ", model.Members.Select(m => Literal(m.Column)))} }},");
            w.Line($"    keepsText: {Bool(model.Members.Any(m => m.Kind == MemberKind.Text))});");
            w.Line();
            w.Line("/// <summary>");
            w.Line($"/// Takes the next line of a JSON-lines source into <paramref name=\"value\"/>: <see langword=\"true\"/> when it holds a {model.Name};");
            w.Line("/// <see langword=\"false\"/> for an empty line, or a record refused by <paramref name=\"reader\"/>'s policy.");
            w.Line("/// </summary>");
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            w.Line($"public static bool TryReadJson({Runtime}.JsonRecordReader reader, {Span} line, out {model.FullName} value) =>");
            w.Line("    TryReadJson(reader, line, ulong.MaxValue, out value);");
            w.Line();
            w.Line("/// <summary>");
            w.Line($"/// Takes the next line of a JSON-lines source into <paramref name=\"value\"/>, converting only the values of the members whose bit is set in");
            w.Line("/// <paramref name=\"members\"/> (bit i for the i-th member, in declaration order; a member past the 64th is always read): a pipeline passes");
            w.Line("/// the members its stages read. Every other member is left default and its value is not converted (a wrongly typed one is not refused),");
            w.Line("/// but the line must still be one JSON object, and one without a required member (or with it null) is refused all the same.");
            w.Line("/// </summary>");
            w.Open($"public static bool TryReadJson({Runtime}.JsonRecordReader reader, {Span} line, ulong members, out {model.FullName} value)");
            int[] text = Enumerable.Range(0, model.Members.Count).Where(i => model.Members[i].Kind == MemberKind.Text).ToArray();
            if (text.Length != 0 && text.All(i => i < 64))
            {
                // The line is copied into the reader's buffer, for slices of it, only when a text member is read.
                w.Line("// The line goes into the reader's buffer, which the text members' slices point into, only when one of them is read.");
                w.Line($"if (!reader.TryBegin(line, (members & 0x{text.Aggregate(0UL, (mask, i) => mask | (1UL << i)):X}UL) != 0, out {Span} record))");
            }
            else
            {
                w.Line($"if (!reader.TryBegin(line, out {Span} record))");
            }

            w.Open();
            w.Line("value = default;");
            w.Line("return false;");
            w.Close();
            w.Line();
            w.Line("// Malformed JSON makes the line's reader throw. The handler is here, around the call, so that ReadJson, which walks");
            w.Line("// the line, has none and keeps its locals in registers.");
            w.Open("try");
            w.Line("return ReadJson(reader, record, members, out value);");
            w.Close();
            w.Open($"catch ({Json}.JsonException exception)");
            w.Line("value = default;");
            w.Line("return reader.RefuseInvalidJson(exception);");
            w.Close();
            w.Close();
            w.Line();
            EmitReadJson(w, model);
        }

        private static void EmitReadJson(SourceWriter w, RecordModel model)
        {
            PathNode root = PathTree(model);
            w.Line($"/// <summary>Reads one JSON object into <paramref name=\"value\"/> (of its members, those in <paramref name=\"members\"/>), or refuses it; throws {Json}.JsonException for malformed JSON.</summary>");
            w.Open($"private static bool ReadJson({Runtime}.JsonRecordReader reader, {Span} record, ulong members, out {model.FullName} value)");
            w.Line("value = default;");
            w.Line($"var json = new {Runtime}.JsonLineReader(record);");
            if (model.Members.Any(m => m.Kind != MemberKind.Enum))
            {
                // Every reader but an enum's (written inline) says why it refuses a value.
                w.Line($"{Reason} reason;");
            }

            for (int i = 0; i < model.Members.Count; i++)
            {
                w.Line($"{model.Members[i].TypeCode} m{i} = default!;");
                w.Line($"bool has{i} = false;");
            }

            w.Line();
            bool onePass = root.Children.Count != 0;
            if (onePass)
            {
                EmitOnePass(w, model, root);
                w.Line();
                w.Line("// Any other shape (escaped names, objects or arrays as values of unknown properties, null for a nested object,");
                w.Line("// malformed JSON): the line again from its start, with a new reader.");
                w.Line("AnyOrder:");
                w.Line($"json = new {Runtime}.JsonLineReader(record);");
                w.Line("reader.RewindText();");
                w.Line(string.Join(" ", Enumerable.Range(0, model.Members.Count).Select(i => $"has{i} = false;")));
                w.Line();
            }

            w.Line("// The line is one JSON object.");
            w.Line("json.Read();");
            w.Open($"if (json.TokenType != {Token}.StartObject)");
            w.Line("return reader.RefuseNotAnObject(json.TokenType);");
            w.Close();
            w.Line();
            w.Line("// Its properties, in any order; of two with one name the last wins, and a name no member reads is skipped with its value.");
            EmitProperties(w, model, root, 0);
            w.Line();
            w.Line("// Nothing but white space may follow the object: the reader throws for anything else.");
            w.Line("json.Read();");
            w.Line();
            if (onePass)
            {
                w.Line("Members:");
            }

            w.Line("// A member the line did not hold, or held as null: its default, or the record is refused.");
            for (int i = 0; i < model.Members.Count; i++)
            {
                EmitMissing(w, model.Members[i], i);
            }

            w.Line();
            w.Line($"value = new {model.FullName}");
            w.Open();
            for (int i = 0; i < model.Members.Count; i++)
            {
                RecordMember member = model.Members[i];
                w.Line(member.Nullable ? $"{member.Name} = has{i} ? m{i} : null," : $"{member.Name} = m{i},");
            }

            w.Close(";");
            w.Line("return true;");
            w.Close();
            if (onePass)
            {
                EmitJsonNames(w, root);
            }
        }

        // The usual shape, read in one pass: objects of names without escapes and scalar values (strings, numbers, true,
        // false, null), or, for a name that leads into a nested object, an object of the same shape; properties in any
        // order, unknown ones skipped. Each name is compared first with the one expected next: at the top, the one that
        // followed the property before in the line before (the reader keeps that order, at first the declaration order),
        // so lines in any fixed order take one comparison per name; in a nested object, the next in declaration order.
        // Each value is read as the general loop reads it (so a value it would refuse is refused here the same way), and of
        // two properties with one name the last wins, as there; at the first byte of another shape the line goes to that loop.
        private static void EmitOnePass(SourceWriter w, RecordModel model, PathNode root)
        {
            List<PathNode> children = root.Children;
            w.Line("// The usual shape first, in one pass: names without escapes, scalars as values (objects for the dotted paths),");
            w.Line("// unknown properties skipped. A value is read (or refused) as below; of two properties with one name the last wins.");
            w.Line("// At the first byte of another shape the line is read again below.");
            bool straight = children.All(c => IsPlainName(c.Name));
            w.Line("int after = 0; // the property read last, plus one (0 before the first)");
            if (straight)
            {
                w.Line();
                w.Line("// Each property in declaration order, its name compared as it is scanned, until the line has another order.");
                string before = "(byte)'{'";
                for (int c = 0; c < children.Count; c++)
                {
                    string name = Utf8Literal("\"" + children[c].Name + "\"");
                    if (c == 0)
                    {
                        w.Open($"if (!json.TryName({before}, {name}))");
                        w.Line("if (!json.TryStartObject()) goto AnyOrder;");
                        w.Line("goto InLineOrder;");
                        w.Close();
                    }
                    else
                    {
                        w.Line($"if (!json.TryName({before}, {name})) goto InLineOrder;");
                    }

                    w.Open();
                    EmitInOrderProperty(w, model, children[c]);
                    w.Close();
                    w.Line($"after = {c + 1};");
                    before = "(byte)','";
                }

                w.Line("if (!json.TryEndObject()) goto InLineOrder;");
                w.Line("if (!json.TryEndLine()) goto AnyOrder;");
                w.Line("goto Members;");
            }
            else
            {
                w.Line("if (!json.TryStartObject()) goto AnyOrder;");
            }

            w.Line();
            w.Line("// The rest of a line in another order (or with unknown or repeated properties): each name compared first with the");
            w.Line("// one that followed the property before in the line before (the reader's NextName, from its PropertyOrder), so lines of any one");
            w.Line("// order take one comparison per name.");
            if (straight)
            {
                w.Line("InLineOrder:");
            }

            w.Line($"ref readonly {Runtime}.JsonExpectedName expected = ref reader.NextName(after);");
            w.Line($"{Span} propertyName;");
            w.Line("int next0;");
            w.Open("while ((next0 = json.TryNextProperty(in expected, out propertyName)) != 0)");
            w.Line("int child = expected.Index;");
            w.Open("if (next0 != 2)");
            w.Line("if (next0 < 0) goto AnyOrder;");
            string keyword = "if";
            for (int c = 0; c < children.Count; c++)
            {
                w.Line($"{keyword} (global::System.MemoryExtensions.SequenceEqual(propertyName, {Utf8Literal(children[c].Name)})) child = {c};");
                keyword = "else if";
            }

            w.Open("else");
            w.Line("// A name no member reads: its value skipped (a scalar here).");
            w.Line("if (!json.TryScalar()) goto AnyOrder;");
            w.Line("continue;");
            w.Close();
            w.Line("reader.LearnOrder(after, child); // this line's order, for the next");
            w.Close();
            w.Line();
            w.Open("switch (child)");
            for (int c = 0; c < children.Count; c++)
            {
                w.Open($"case {c}:");
                EmitOnePassProperty(w, model, children[c], 0);
                w.Line("break;");
                w.Close();
            }

            w.Close();
            w.Line("after = child + 1;");
            w.Line("expected = ref reader.NextName(after);");
            w.Close();
            w.Line("if (!json.TryEndLine()) goto AnyOrder;");
            w.Line("goto Members;");
        }

        // A property read in declaration order, its name read: a member's scalar, or the object a name leads into, its
        // properties in declaration order too (anything else there reads the line again from its start).
        private static void EmitInOrderProperty(SourceWriter w, RecordModel model, PathNode child)
        {
            if (child.Member >= 0)
            {
                w.Line("if (!json.TryScalar()) goto AnyOrder;");
                EmitValue(w, model.Members[child.Member], child.Member, general: false);
                return;
            }

            w.Line($"// \"{child.Name}\": an object holding {string.Join(", ", child.Members().Select(m => model.Members[m].Name))}.");
            string before = "(byte)'{'";
            foreach (PathNode grandchild in child.Children)
            {
                w.Line($"if (!json.TryName({before}, {Utf8Literal("\"" + grandchild.Name + "\"")})) goto AnyOrder;");
                EmitInOrderProperty(w, model, grandchild);
                before = "(byte)','";
            }

            w.Line("if (!json.TryEndObject()) goto AnyOrder;");
        }

        // One property of the one pass, its name read: a member's scalar, or the object a name leads into.
        private static void EmitOnePassProperty(SourceWriter w, RecordModel model, PathNode child, int depth)
        {
            if (child.Member >= 0)
            {
                w.Line("if (!json.TryScalar()) goto AnyOrder;");
                EmitValue(w, model.Members[child.Member], child.Member, general: false);
                return;
            }

            int[] members = child.Members().ToArray();
            w.Line($"// \"{child.Name}\": an object holding {string.Join(", ", members.Select(m => model.Members[m].Name))}.");
            w.Line(string.Join(" ", members.Select(m => $"has{m} = false;")));
            w.Line("if (!json.TryStartObject()) goto AnyOrder;");
            EmitOnePassObject(w, model, child, depth + 1);
        }

        // The properties of a nested object in the one pass, each name compared first with the next in declaration order.
        private static void EmitOnePassObject(SourceWriter w, RecordModel model, PathNode node, int depth)
        {
            string d = depth.ToString(CultureInfo.InvariantCulture);
            w.Line($"int expected{d} = 0;");
            w.Line($"int next{d};");
            w.Open($"while ((next{d} = json.TryNextProperty(JsonName{node.Object}(expected{d}), out {Span} property{d})) != 0)");
            w.Line($"if (next{d} < 0) goto AnyOrder;");
            string keyword = "if";
            for (int c = 0; c < node.Children.Count; c++)
            {
                w.Open($"{keyword} (global::System.MemoryExtensions.SequenceEqual(property{d}, {Utf8Literal(node.Children[c].Name)}))");
                w.Line($"expected{d} = {c + 1};");
                EmitOnePassProperty(w, model, node.Children[c], depth);
                w.Close();
                keyword = "else if";
            }

            w.Line("else if (!json.TryScalar()) goto AnyOrder;");
            w.Close();
        }

        // The names the one pass compares first in a nested object, one method per object of the members' paths under the
        // line's (whose names the reader keeps, in the order it learned: JsonRecordReader.NextName): the name
        // at an index in declaration order, as TryNextProperty expects it, none past the last or for a name JSON writes
        // with escapes (a quote, backslash or control character).
        private static void EmitJsonNames(SourceWriter w, PathNode root)
        {
            foreach (PathNode node in Objects(root).Where(node => node.Object != 0))
            {
                int id = node.Object;
                w.Line();
                w.Line($"/// <summary>The name of property <paramref name=\"index\"/> of \"{node.Name}\" in declaration order, compared first with a line's next name.</summary>");
                w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
                w.Open($"private static {Span} JsonName{id}(int index)");
                w.Open("switch (index)");
                for (int c = 0; c < node.Children.Count; c++)
                {
                    string name = node.Children[c].Name;
                    if (IsPlainName(name))
                    {
                        w.Line($"case {c}: return {Utf8Literal(name)};");
                    }
                }

                w.Line("default: return default;");
                w.Close();
                w.Close();
            }
        }

        // A name JSON writes without escapes (no quote, backslash or control character): one TryNextProperty can expect.
        private static bool IsPlainName(string name) => name.All(ch => ch >= ' ' && ch != '"' && ch != '\\');

        // The objects of the members' paths, the line's first, in the order the one pass meets them.
        private static List<PathNode> Objects(PathNode root)
        {
            var objects = new List<PathNode>();
            void Visit(PathNode node)
            {
                objects.Add(node);
                foreach (PathNode child in node.Children.Where(c => c.Member < 0))
                {
                    Visit(child);
                }
            }

            Visit(root);
            for (int i = 0; i < objects.Count; i++)
            {
                objects[i].Object = i;
            }

            return objects;
        }

        // The members' paths as a tree of names, in declaration order.
        private static PathNode PathTree(RecordModel model)
        {
            var root = new PathNode("");
            for (int i = 0; i < model.Members.Count; i++)
            {
                PathNode node = root;
                foreach (string segment in model.Members[i].Column.Split('.'))
                {
                    PathNode? child = node.Children.FirstOrDefault(c => string.Equals(c.Name, segment, StringComparison.Ordinal));
                    if (child is null)
                    {
                        child = new PathNode(segment);
                        node.Children.Add(child);
                    }

                    node = child;
                }

                node.Member = i;
            }

            Objects(root); // numbers the objects for their JsonName methods
            return root;
        }

        // A loop over the properties of the object the reader is at (its StartObject read), ending at its EndObject.
        private static void EmitProperties(SourceWriter w, RecordModel model, PathNode node, int depth)
        {
            w.Open($"while (json.Read() && json.TokenType == {Token}.PropertyName)");
            if (node.Children.Count != 0)
            {
                // The name as written (unescaped only if it holds an escape), compared with each name of this level.
                w.Line($"{Span} property{depth} = json.ValueIsEscaped ? reader.Unescaped(ref json) : json.ValueSpan;");
            }

            string keyword = "if";
            foreach (PathNode child in node.Children)
            {
                w.Open($"{keyword} (global::System.MemoryExtensions.SequenceEqual(property{depth}, {Utf8Literal(child.Name)}))");
                w.Line("json.Read();");
                if (child.Member >= 0)
                {
                    EmitValue(w, model.Members[child.Member], child.Member, general: true);
                }
                else
                {
                    EmitObject(w, model, child, depth + 1);
                }

                w.Close();
                keyword = "else if";
            }

            if (node.Children.Count == 0)
            {
                w.Line("json.Skip();");
            }
            else
            {
                w.Open("else");
                w.Line("json.Skip();");
                w.Close();
            }

            w.Close();
        }

        // A name that leads into a nested object: its members are read from the object (a second one replaces what the
        // first gave); null leaves them missing; any other value is refused.
        private static void EmitObject(SourceWriter w, RecordModel model, PathNode node, int depth)
        {
            int[] members = node.Members().ToArray();
            string reset = string.Join(" ", members.Select(m => $"has{m} = false;"));
            w.Line($"// \"{node.Name}\": an object holding {string.Join(", ", members.Select(m => model.Members[m].Name))}.");
            w.Line(reset);
            string keyword = "if";
            if (members.All(m => m < 64 && (model.Members[m].Nullable || model.Members[m].Default is not null)))
            {
                // When no stage reads its members (none of them required): skipped with all it holds, whatever it is.
                w.Open($"if ((members & 0x{members.Aggregate(0UL, (mask, m) => mask | (1UL << m)):X}UL) == 0)");
                w.Line("// No stage reads what it holds, and nothing in it is required: skipped, whatever it is.");
                w.Line("json.Skip();");
                w.Close();
                keyword = "else if";
            }

            w.Open($"{keyword} (json.TokenType == {Token}.StartObject)");
            EmitProperties(w, model, node, depth);
            w.Close();
            w.Open($"else if (json.TokenType != {Token}.Null)");
            w.Line($"return reader.Refuse({Reason}.InvalidValue, {members[0]}, json.ValueSpan);");
            w.Close();
        }

        // A member's value: null leaves it missing; any other value is read by its type's reader, or refuses the record. Only
        // when a stage reads the member (its bit in `members`): else its value is not converted and the member stays default,
        // but a required member's null is refused all the same, and its presence noted for the check after the object. In
        // the general loop (`general`), the value of a member no stage reads is skipped with all it holds (an object or array
        // there is not refused either); the one pass only reaches a member's value when it is a scalar.
        private static void EmitValue(SourceWriter w, RecordMember member, int i, bool general)
        {
            string local = "m" + i.ToString(CultureInfo.InvariantCulture);
            string refuse = $"return reader.Refuse(reason, {i}, json.ValueSpan);";
            bool required = !member.Nullable && member.Default is null;
            string? bit = ReadBit(i);
            string unread = bit is null ? "" : ", when a stage reads it";
            if (member.Nullable)
            {
                w.Line($"// {member.Name}: {Literal(member.Column)}; nullable, so null (or no such property) for null{unread}.");
            }
            else if (required)
            {
                // A null for a member without a default is refused at once, as JsonSerializer refuses null for a non-nullable member.
                w.Line($"// {member.Name}: {Literal(member.Column)}; required, so null is refused.");
                w.Line($"if (json.TokenType == {Token}.Null) return reader.Refuse({Reason}.MissingColumn, {i}, default);");
                w.Line($"has{i} = true;");
            }
            else
            {
                w.Line($"// {member.Name}: {Literal(member.Column)}; null for its default{unread}.");
            }

            if (bit is not null)
            {
                w.Open($"if ({bit})");
            }

            if (!required)
            {
                w.Line($"has{i} = json.TokenType != {Token}.Null;");
            }

            string seen = required ? "" : $"has{i} && ";
            switch (member.Kind)
            {
                case MemberKind.Text:
                    w.Line($"if ({seen}(reason = reader.ReadText(ref json, out {local})) != {Reason}.None) {refuse}");
                    break;
                case MemberKind.Value when member.Reader == "String":
                    w.Line($"if ({seen}(reason = reader.ReadString(ref json, out {local})) != {Reason}.None) {refuse}");
                    break;
                case MemberKind.Value:
                    w.Line($"if ({seen}(reason = {Runtime}.JsonValues.{member.Reader}(ref json, out {local})) != {Reason}.None) {refuse}");
                    break;
                case MemberKind.Time:
                    string format = member.Format is null ? "null" : Literal(member.Format);
                    w.Line($"if ({seen}(reason = {Runtime}.JsonValues.{member.Reader}(ref json, {format}, reader, out {local})) != {Reason}.None) {refuse}");
                    break;
                case MemberKind.Enum:
                    EmitEnum(w, member, i, local, required);
                    break;
            }

            if (bit is not null)
            {
                w.Close();
                if (general)
                {
                    // No stage reads it: its value skipped, not converted (an object or array with all it holds).
                    w.Line("else json.Skip();");
                }
            }
        }

        // The test of member i's bit in the mask of the members the stages read; null past the 64th, which is always read.
        private static string? ReadBit(int i) => i < 64 ? $"(members & 0x{1UL << i:X}UL) != 0" : null;

        // An enum: a string of one of its names (ignoring ASCII case), or a number that is the value of one of them.
        private static void EmitEnum(SourceWriter w, RecordMember member, int i, string local, bool required)
        {
            string invalid = $"return reader.Refuse({Reason}.InvalidValue, {i}, json.ValueSpan);";
            w.Open($"if (json.TokenType == {Token}.String)");
            w.Line($"{Span} name{i} = reader.Unescaped(ref json);");
            string keyword = "if";
            foreach (string name in member.EnumNames)
            {
                w.Line($"{keyword} (global::System.Text.Ascii.EqualsIgnoreCase(name{i}, {Utf8Literal(name)})) {local} = {member.TypeCode}.{name};");
                keyword = "else if";
            }

            w.Line(member.EnumNames.Count == 0 ? invalid : "else " + invalid);
            w.Close();
            w.Open($"else if (json.TokenType == {Token}.Number && json.TryGetInt64(out long number{i}))");
            keyword = "if";
            foreach (string name in member.EnumNames)
            {
                w.Line($"{keyword} (number{i} == unchecked((long){member.TypeCode}.{name})) {local} = {member.TypeCode}.{name};");
                keyword = "else if";
            }

            w.Line(member.EnumNames.Count == 0 ? invalid : "else " + invalid);
            w.Close();
            if (required)
            {
                // Not null (refused above): any other kind of value is not one.
                w.Line($"else {invalid}");
            }
            else
            {
                w.Open($"else if (has{i})");
                w.Line(invalid);
                w.Close();
            }
        }

        // After the object: a member it did not hold (or held as null) takes its default, or refuses the record.
        private static void EmitMissing(SourceWriter w, RecordMember member, int i)
        {
            string local = "m" + i.ToString(CultureInfo.InvariantCulture);
            if (member.Nullable)
            {
                // A nullable member the line did not hold, or held as null, is null (has{i} false), as JsonSerializer leaves it.
                return;
            }

            if (member.Default is null)
            {
                w.Line($"if (!has{i}) return reader.Refuse({Reason}.MissingColumn, {i}, default);");
                return;
            }

            string assign = member.Kind switch
            {
                MemberKind.Text => $"{local} = CsvDefault{i};",
                MemberKind.Enum => $"{local} = {member.TypeCode}.{member.EnumNames.First(n => string.Equals(n, member.Default, StringComparison.OrdinalIgnoreCase))};",
                MemberKind.Value when member.Reader == "String" => $"{local} = {Literal(member.Default)};",
                MemberKind.Time => $"{Runtime}.CsvValues.{member.Reader}({Utf8Literal(member.Default)}, {(member.Format is null ? "null" : Literal(member.Format))}, out {local});",
                _ => $"{Runtime}.CsvValues.{member.Reader}({Utf8Literal(member.Default)}, out {local});",
            };
            // A member no stage reads stays default: its default is not read either.
            string unread = ReadBit(i) is { } bit ? $" && {bit}" : "";
            w.Line($"if (!has{i}{unread}) {assign} // {member.Name}: {Literal(member.Default)}.");
        }
    }
}
