using Compiled.Generators.Helpers;

namespace Compiled.Generators.Model
{
    /// <summary>Everything the emitter needs to know about one [Pipeline] class, as plain values.</summary>
    /// <param name="Type">Where the class is declared: its namespace and nesting.</param>
    /// <param name="Name">The class name: the pipeline's name.</param>
    /// <param name="HintName">The generated file's name.</param>
    /// <param name="BatchIntervalMilliseconds">The batch interval.</param>
    /// <param name="Stages">The stages in declaration order (sources first among equals).</param>
    /// <param name="TestDriverAccessibility">The test driver's access modifier: public, unless a record type it exposes is less accessible.</param>
    /// <param name="HasErrors">True when a diagnostic error was reported: then only stand-ins for the partial members are emitted.</param>
    /// <param name="TakenNames">The generated members' names (<c>Definition</c>, <c>RunAsync</c>) that the class already uses (CMP0023): the stand-ins leave them out.</param>
    /// <param name="Checkpoint">The checkpoint directory of <c>[Pipeline(Checkpoint = "...")]</c>, as written; <see langword="null"/> for none.</param>
    internal sealed record PipelineModel(
        TypeHierarchy Type,
        string Name,
        string HintName,
        long BatchIntervalMilliseconds,
        EquatableArray<StageModel> Stages,
        bool HasErrors,
        EquatableArray<string> TakenNames,
        string TestDriverAccessibility = "public",
        string? Checkpoint = null);

    /// <summary>The namespace and the chain of types that contain a pipeline class, outermost first, ending with the class itself.</summary>
    internal sealed record TypeHierarchy(string Namespace, EquatableArray<TypeDeclaration> Types)
    {
        /// <summary>The pipeline class's name with <c>global::</c> and every containing type.</summary>
        public string FullyQualifiedName
        {
            get
            {
                string name = Namespace.Length == 0 ? "global::" : "global::" + Namespace + ".";
                for (int i = 0; i < Types.Count; i++)
                {
                    name += (i == 0 ? "" : ".") + Types[i].Name;
                }

                return name;
            }
        }
    }

    /// <summary>One type declaration to reopen: <c>static partial class Name</c>.</summary>
    /// <param name="Keyword">class, struct, record, record struct or interface.</param>
    /// <param name="Name">The name, with type parameters if any.</param>
    /// <param name="IsStatic">Whether the type is static (the partial declaration repeats it).</param>
    internal sealed record TypeDeclaration(string Keyword, string Name, bool IsStatic);
}
