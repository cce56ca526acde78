using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Compiled.Internal;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        /// <summary>
        /// Finds the connectors a compilation can use: those its own <c>[assembly: SourceConnector(...)]</c> and
        /// <c>[assembly: SinkConnector(...)]</c> declare, and those of the assemblies it references. Symbols stay inside
        /// this class; what leaves it is a value-only <see cref="ConnectorSet"/>.
        /// </summary>
        internal static class Connectors
        {
            /// <summary>The metadata name of the attribute that declares a source connector.</summary>
            public const string SourceAttribute = "Compiled.Connectors.SourceConnectorAttribute";

            /// <summary>The metadata name of the attribute that declares a sink connector.</summary>
            public const string SinkAttribute = "Compiled.Connectors.SinkConnectorAttribute";

            private const string RuntimeAssembly = "Compiled";

            private static readonly SymbolDisplayFormat CodeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

            /// <summary>The declarations of <paramref name="role"/> in one file of the compilation itself (found by ForAttributeWithMetadataName).</summary>
            public static ConnectorScan Own(GeneratorAttributeSyntaxContext context, string role, CancellationToken cancellationToken)
            {
                var found = new List<DeclaredConnector>();
                var diagnostics = new List<Diagnostic>();
                Compilation compilation = context.SemanticModel.Compilation;
                foreach (AttributeData attribute in context.Attributes)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Location location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? Location.None;
                    Read(attribute, role, compilation, compilation.Assembly, location, found, diagnostics);
                }

                return new ConnectorScan(found.ToEquatableArray(), diagnostics.ToEquatableArray());
            }

            /// <summary>
            /// The declarations of the assemblies <paramref name="compilation"/> references. Only assemblies that reference the
            /// runtime can declare one, so the others are not read.
            /// </summary>
            public static ConnectorScan Referenced(Compilation compilation, CancellationToken cancellationToken)
            {
                var found = new List<DeclaredConnector>();
                var diagnostics = new List<Diagnostic>();
                IEnumerable<IAssemblySymbol> assemblies = compilation.SourceModule.ReferencedAssemblySymbols
                    .Where(ReferencesRuntime)
                    .OrderBy(a => a.Identity.Name, System.StringComparer.Ordinal);
                foreach (IAssemblySymbol assembly in assemblies)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    foreach (AttributeData attribute in assembly.GetAttributes())
                    {
                        string? role = RoleOf(attribute.AttributeClass);
                        if (role is not null)
                        {
                            Read(attribute, role, compilation, assembly, Location.None, found, diagnostics);
                        }
                    }
                }

                return found.Count == 0 && diagnostics.Count == 0
                    ? ConnectorScan.Empty
                    : new ConnectorScan(found.ToEquatableArray(), diagnostics.ToEquatableArray());
            }

            /// <summary>
            /// Every usable connector, each (role, scheme) once: the compilation's own first, then the referenced ones by
            /// assembly name. A scheme declared again with another factory is CMP0037, at the later declaration.
            /// </summary>
            public static ConnectorSet Combine(ImmutableArray<ConnectorScan> ownSources, ImmutableArray<ConnectorScan> ownSinks, ConnectorScan referenced)
            {
                var diagnostics = new List<Diagnostic>();
                var kept = new Dictionary<(string Role, string Scheme), ConnectorDeclaration>();
                IEnumerable<ConnectorScan> scans = Ordered(ownSources).Concat(Ordered(ownSinks)).Append(referenced);
                foreach (ConnectorScan scan in scans)
                {
                    diagnostics.AddRange(scan.Diagnostics);
                    foreach (DeclaredConnector declared in scan.Found)
                    {
                        ConnectorDeclaration declaration = declared.Declaration;
                        if (!kept.TryGetValue((declaration.Role, declaration.Scheme), out ConnectorDeclaration? first))
                        {
                            kept.Add((declaration.Role, declaration.Scheme), declaration);
                        }
                        else if (first.Factory != declaration.Factory)
                        {
                            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ConnectorSchemeDeclaredTwice, declared.Location,
                                declaration.Role, declaration.Scheme, Display(first.Factory), first.Assembly, Display(declaration.Factory), declaration.Assembly));
                        }
                    }
                }

                ConnectorDeclaration[] declarations = kept.Values
                    .OrderBy(d => d.Role, System.StringComparer.Ordinal)
                    .ThenBy(d => d.Scheme, System.StringComparer.Ordinal)
                    .ToArray();
                return new ConnectorSet(new EquatableArray<ConnectorDeclaration>(declarations), diagnostics.ToEquatableArray());
            }

            /// <summary>
            /// CMP0007 for each default URI of <paramref name="checks"/> whose scheme no connector of its role declares, listing
            /// the built-in schemes and the declared ones.
            /// </summary>
            public static IEnumerable<Diagnostic> Check(EquatableArray<SchemeCheck> checks, EquatableArray<ConnectorDeclaration> declarations)
            {
                foreach (SchemeCheck check in checks)
                {
                    if (!declarations.Any(d => d.Role == check.Role && d.Scheme == check.Scheme))
                    {
                        yield return Diagnostic.Create(DiagnosticDescriptors.UnknownUriScheme, check.Location,
                            check.Uri, check.Role, check.Stage, check.Scheme, Usage(check.Role, declarations));
                    }
                }
            }

            /// <summary>The factory of the Compiled.Parquet package's <c>parquet</c> sink, whose rows the generated job writes as typed columns.</summary>
            public const string ParquetSinkFactory = "global::Compiled.Parquet.ParquetSinkFactory";

            /// <summary>Whether the Compiled.Parquet package's sink is among <paramref name="declarations"/>: then each job writes its sinks' Parquet columns.</summary>
            public static bool DeclaresParquetSink(EquatableArray<ConnectorDeclaration> declarations) =>
                declarations.Any(d => d.Role == "sink" && d.Factory == ParquetSinkFactory);

            /// <summary>The usage examples of the built-in schemes of <paramref name="role"/>, then of the declared ones, joined with ", ".</summary>
            public static string Usage(string role, EquatableArray<ConnectorDeclaration> declarations)
            {
                string builtIn = KnownSchemes.Usage(role == "sink" ? KnownSchemes.Sinks : KnownSchemes.Sources);
                string[] declared = declarations.Where(d => d.Role == role).Select(d => d.Usage).ToArray();
                return declared.Length == 0 ? builtIn : builtIn + ", " + string.Join(", ", declared);
            }

            // Scans of the compilation's own files come in the order the driver found them; order them by where they were
            // written, so the first declaration kept (and the one CMP0037 points at) does not depend on that order.
            private static IEnumerable<ConnectorScan> Ordered(ImmutableArray<ConnectorScan> scans) =>
                scans.OrderBy(s => s.Found.Count > 0 ? s.Found[0].Location.SourceTree?.FilePath ?? "" : "", System.StringComparer.Ordinal)
                    .ThenBy(s => s.Found.Count > 0 ? s.Found[0].Location.SourceSpan.Start : 0);

            private static void Read(
                AttributeData attribute, string role, Compilation compilation, IAssemblySymbol declaring, Location location,
                List<DeclaredConnector> found, List<Diagnostic> diagnostics)
            {
                if (attribute.ConstructorArguments.Length != 2)
                {
                    // The attribute does not bind (the compiler reports why); nothing to register.
                    return;
                }

                string scheme = attribute.ConstructorArguments[0].Value as string ?? "";
                var factory = attribute.ConstructorArguments[1].Value as INamedTypeSymbol;
                string? usage = null;
                foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                {
                    if (argument.Key == "Usage")
                    {
                        usage = argument.Value.Value as string;
                    }
                }

                string assembly = declaring.Identity.Name;
                string? problem = Problem(scheme, role, factory, attribute.AttributeClass!.ContainingAssembly, compilation);
                if (problem is not null)
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidConnector, location, role, scheme, assembly, problem));
                    return;
                }

                var declaration = new ConnectorDeclaration(
                    role, scheme, factory!.ToDisplayString(CodeFormat), string.IsNullOrWhiteSpace(usage) ? scheme + ":" : usage!, assembly);
                found.Add(new DeclaredConnector(declaration, location));
            }

            // Why the declaration cannot be registered, or null if it can.
            private static string? Problem(string scheme, string role, INamedTypeSymbol? factory, IAssemblySymbol runtime, Compilation compilation)
            {
                string factoryInterface = role == "sink" ? "ISinkFactory" : "ISourceFactory";
                string created = role == "sink" ? "Sink" : "Source";
                if (!IsScheme(scheme))
                {
                    return "its scheme must be written in lower case, a letter followed by letters, digits, '+', '-' or '.', e.g. \"redis\"";
                }

                if (KnownSchemes.Contains(role == "sink" ? KnownSchemes.Sinks : KnownSchemes.Sources, scheme))
                {
                    return $"'{scheme}' is a built-in {role} scheme; give the connector another scheme";
                }

                if (factory is null || factory.TypeKind == TypeKind.Error)
                {
                    return $"its factory is not a type; write typeof(YourFactory), a class that implements Compiled.Connectors.{factoryInterface}";
                }

                string name = factory.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
                if (factory.IsUnboundGenericType || factory.TypeKind is not (TypeKind.Class or TypeKind.Struct) || factory.IsAbstract)
                {
                    return $"its factory '{name}' must be a non-generic, non-abstract class or struct that implements Compiled.Connectors.{factoryInterface}";
                }

                if (!factory.AllInterfaces.Any(i => i.Name == factoryInterface
                        && i.ContainingNamespace.ToDisplayString() == "Compiled.Connectors"
                        && SymbolEqualityComparer.Default.Equals(i.ContainingAssembly, runtime)))
                {
                    return $"its factory '{name}' does not implement Compiled.Connectors.{factoryInterface}; add it, with 'public static {created} Create(ConnectorUri uri, {created}Context context)'";
                }

                if (!compilation.IsSymbolAccessibleWithin(factory, compilation.Assembly))
                {
                    return $"its factory '{name}' cannot be named from {compilation.AssemblyName}, which registers it; make it public";
                }

                return null;
            }

            private static bool IsScheme(string scheme)
            {
                if (scheme.Length == 0 || !(scheme[0] is >= 'a' and <= 'z'))
                {
                    return false;
                }

                foreach (char c in scheme)
                {
                    if (!(c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || c is '+' or '-' or '.'))
                    {
                        return false;
                    }
                }

                return true;
            }

            private static string? RoleOf(INamedTypeSymbol? attribute) =>
                attribute is null || attribute.ContainingAssembly?.Identity.Name != RuntimeAssembly
                    || attribute.ContainingNamespace.ToDisplayString() != "Compiled.Connectors"
                    ? null
                    : attribute.Name == "SourceConnectorAttribute" ? "source"
                    : attribute.Name == "SinkConnectorAttribute" ? "sink"
                    : null;

            private static bool ReferencesRuntime(IAssemblySymbol assembly)
            {
                foreach (IModuleSymbol module in assembly.Modules)
                {
                    foreach (AssemblyIdentity referenced in module.ReferencedAssemblies)
                    {
                        if (referenced.Name == RuntimeAssembly)
                        {
                            return true;
                        }
                    }
                }

                return false;
            }

            private static string Display(string factory) =>
                factory.StartsWith("global::", System.StringComparison.Ordinal) ? factory.Substring("global::".Length) : factory;
        }
    }
}
