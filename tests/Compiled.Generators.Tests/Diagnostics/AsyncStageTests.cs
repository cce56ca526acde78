namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>
/// CMP0034: a stage that returns a task (or is async, or returns an async stream) is refused, because the generated loop
/// calls it synchronously and nothing awaits it; without the diagnostic the task itself went on down the pipeline.
/// </summary>
public class AsyncStageTests
{
    private const string Usings = "using Compiled;\n";

    [Fact]
    public void CMP0034_AsyncStage() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<string> Input();
            [Map] public static async [|Task<long>|] Parse(string line) { await Task.Yield(); return line.Length; }
            [Sink] public static partial void Output(long length);
        }
        """,
        "CMP0034",
        "Stage 'Parse' is async and returns 'Task<long>', but the generated loop calls a stage synchronously, once per record (or once per batch), and never awaits it: its work would not be done when the batch is, and a stage below would get the task instead of its result; make 'Parse' synchronous and return 'long', and do asynchronous work such as loading a lookup table before the run");

    [Fact]
    public void CMP0034_ForEachBatchReturningATask() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<long> Input();
            [ForEachBatch] public static [|Task|] Save(ReadOnlySpan<long> records, long batchTime) => Task.CompletedTask;
        }
        """,
        "CMP0034",
        "Stage 'Save' returns 'Task', but the generated loop calls a stage synchronously, once per record (or once per batch), and never awaits it: its work would not be done when the batch is, and a stage below would get the task instead of its result; make 'Save' synchronous and return void, and do asynchronous work such as loading a lookup table before the run");

    [Fact]
    public void CMP0034_FilterReturningAValueTask() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<long> Input();
            [Filter] public static [|ValueTask<bool>|] Keep(long value) => new(value > 0);
            [Sink] public static partial void Output(long value);
        }
        """,
        "CMP0034",
        "Stage 'Keep' returns 'ValueTask<bool>', but the generated loop calls a stage synchronously, once per record (or once per batch), and never awaits it: its work would not be done when the batch is, and a stage below would get the task instead of its result; make 'Keep' synchronous and return 'bool', and do asynchronous work such as loading a lookup table before the run");

    [Fact]
    public void CMP0034_FlatMapReturningAnAsyncStream() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<string> Input();
            [FlatMap] public static async [|IAsyncEnumerable<char>|] Letters(string line) { foreach (char c in line) { await Task.Yield(); yield return c; } }
            [Sink] public static partial void Output(char letter);
        }
        """,
        "CMP0034",
        "Stage 'Letters' is async and returns 'IAsyncEnumerable<char>', but the generated loop calls a stage synchronously, once per record (or once per batch), and never awaits it: its work would not be done when the batch is, and a stage below would get the task instead of its result; make 'Letters' synchronous and return an enumerable of 'char' that foreach walks (a struct enumerable keeps the loop allocation-free), and do asynchronous work such as loading a lookup table before the run");
}
