using System;
using Compiled.Generators.Helpers;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Model
{
    /// <summary>
    /// A connector that an assembly declares with <c>[assembly: SourceConnector(...)]</c> or
    /// <c>[assembly: SinkConnector(...)]</c>, checked: its scheme is valid and not built in, its factory implements the
    /// factory interface of its role and can be named from the compilation.
    /// </summary>
    /// <param name="Role"><c>source</c> or <c>sink</c>.</param>
    /// <param name="Scheme">The URI scheme, in lower case.</param>
    /// <param name="Factory">The factory's fully qualified name, <c>global::</c> first, as the registration names it.</param>
    /// <param name="Usage">The example URI the unknown-scheme messages list.</param>
    /// <param name="Assembly">The name of the declaring assembly, for messages.</param>
    internal sealed record ConnectorDeclaration(string Role, string Scheme, string Factory, string Usage, string Assembly);

    /// <summary>A declaration with the place it was written (<see cref="Location.None"/> in a referenced assembly), for diagnostics.</summary>
    internal sealed record DeclaredConnector(ConnectorDeclaration Declaration, Location Location);

    /// <summary>What one scan found: the usable declarations, and the diagnostics of those that are not.</summary>
    internal sealed record ConnectorScan(EquatableArray<DeclaredConnector> Found, EquatableArray<Diagnostic> Diagnostics)
    {
        /// <summary>Nothing found.</summary>
        public static ConnectorScan Empty { get; } = new(EquatableArray<DeclaredConnector>.Empty, EquatableArray<Diagnostic>.Empty);
    }

    /// <summary>
    /// Every connector the compilation can use, declared by itself or by a referenced assembly, each scheme once, by role
    /// then scheme; and the diagnostics of declarations that could not be used.
    /// </summary>
    internal sealed record ConnectorSet(EquatableArray<ConnectorDeclaration> Declarations, EquatableArray<Diagnostic> Diagnostics);

    /// <summary>
    /// A pipeline's default URI whose scheme is not built in: it is accepted if a connector declares the scheme, and is
    /// CMP0007 otherwise. Checked after parsing, against the <see cref="ConnectorSet"/>, so that declaring a connector
    /// does not re-parse every pipeline.
    /// </summary>
    /// <param name="Role"><c>source</c> or <c>sink</c>.</param>
    /// <param name="Uri">The default URI as written.</param>
    /// <param name="Stage">The source or sink method that declares it.</param>
    /// <param name="Scheme">The URI's scheme, in lower case.</param>
    /// <param name="Location">The <c>Default = "..."</c> argument.</param>
    internal sealed record SchemeCheck(string Role, string Uri, string Stage, string Scheme, Location Location);
}
