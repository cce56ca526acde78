using System.Collections.Generic;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
            // The [Pipeline(OnError = ...)] default for the stages that guard their calls; null when not written.
            private string? _pipelineOnError;

            // The names of BadRecordPolicy's values, by value.
            private static readonly string[] PolicyNames = { "Skip", "Fail", "DeadLetter" };

            // The policy a [Map], [Filter], [FlatMap], [MapValues] or [FlatMapValues] declares for an exception on one record (its own OnError, else the
            // pipeline's), or null when neither is written: the stage is then not guarded, and its call costs nothing more.
            // For a source, the policy for a line that does not parse, [Source(OnBadRecord = ...)], or null when not written.
            private string? OnErrorOf(Draft draft) => draft.Kind switch
            {
                StageKind.Map or StageKind.Filter or StageKind.FlatMap or StageKind.MapValues or StageKind.FlatMapValues => PolicyArgument(draft.Attribute, "OnError") ?? _pipelineOnError,
                StageKind.Source => PolicyArgument(draft.Attribute, "OnBadRecord"),
                _ => null,
            };

            private static string? PolicyArgument(AttributeData attribute, string name)
            {
                foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                {
                    if (argument.Key == name && argument.Value.Value is int value && value >= 0 && value < PolicyNames.Length)
                    {
                        return PolicyNames[value];
                    }
                }

                return null;
            }
        }
    }
}
