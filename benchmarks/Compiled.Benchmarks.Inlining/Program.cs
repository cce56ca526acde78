// What the JIT left as calls in a fused loop. Runs a command (a pipeline's JIT build, `dotnet X.dll ...`) with the
// runtime's inlining events on, then lists, for each method compiled whose name contains one of --method (by default
// the framer's FrameOptimized and the message batch's Deliver, where a fused loop lives; a build that precompiled its
// loops compiles none of them: run it with the runtime option Compiled.LoopsPrecompiled false and DOTNET_ReadyToRun=0,
// benchmarks/README.md), every call the JIT did not inline and why. Calls left by the code's own choice (a method that throws, one marked NoInlining, a virtual or interface call)
// are counted, and listed with --all.
//
//   dotnet run --project benchmarks/Compiled.Benchmarks.Inlining -c Release -- [--method A,B] [--all] -- dotnet X.dll ARGS...
using System.Diagnostics;
using Compiled.Benchmarks.Inlining;

const string Usage = "usage: Compiled.Benchmarks.Inlining [--method NAME[,NAME...]] [--all] -- COMMAND [ARGS...]";
string[] methods = ["Frame", "Deliver"];
bool all = false;
int at = 0;
for (; at < args.Length && args[at] != "--"; at++)
{
    if (args[at] == "--all")
    {
        all = true;
    }
    else if (args[at] == "--method" && at + 1 < args.Length)
    {
        methods = args[++at].Split(',', StringSplitOptions.RemoveEmptyEntries);
    }
    else
    {
        Console.Error.WriteLine($"error: '{args[at]}' is not an option of this tool.\n{Usage}");
        return 2;
    }
}

if (at + 1 >= args.Length)
{
    Console.Error.WriteLine($"error: give the command to run after '--', e.g. -- dotnet samples/WordCount/bin/Release/net10.0/WordCount.dll --source file://words.txt\n{Usage}");
    return 2;
}

string trace = Path.Combine(Path.GetTempPath(), $"inlining-{Environment.ProcessId}.nettrace");
var start = new ProcessStartInfo(args[at + 1]) { UseShellExecute = false };
foreach (string argument in args[(at + 2)..])
{
    start.ArgumentList.Add(argument);
}

foreach ((string name, string value) in InliningEvents.Environment(trace))
{
    start.Environment[name] = value;
}

try
{
    using (Process process = Process.Start(start) ?? throw new InvalidOperationException($"'{args[at + 1]}' did not start."))
    {
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"note: the command ended with exit code {process.ExitCode}; its inlining is listed all the same.");
        }
    }

    if (!File.Exists(trace))
    {
        Console.Error.WriteLine($"error: the command wrote no trace to {trace}: run a .NET program under the JIT (dotnet X.dll), not a Native AOT build.");
        return 1;
    }

    IReadOnlyList<FailedInline> failed = InliningEvents.Read(trace).Failed;
    var loops = failed.Where(f => methods.Any(m => f.Caller.EndsWith("." + m, StringComparison.Ordinal))).GroupBy(f => f.Caller).ToList();
    if (loops.Count == 0)
    {
        Console.WriteLine($"No call left un-inlined in a method named {string.Join(" or ", methods)}: none was compiled, or it inlined every call.");
        return 0;
    }

    foreach (IGrouping<string, FailedInline> loop in loops)
    {
        var judged = loop.Where(f => !f.IsByDesign).ToList();
        int byDesign = loop.Count() - judged.Count;
        Console.WriteLine($"{loop.Key}: {judged.Count} call(s) the JIT chose not to inline, {byDesign} left by the code's own choice");
        foreach (FailedInline call in all ? loop.ToList() : judged)
        {
            Console.WriteLine($"  {call.Callee,-90} {call.Reason}");
        }
    }

    return 0;
}
finally
{
    File.Delete(trace);
}
