// The executable: `generate ...` writes a Nexmark stream as CSV files; `q0` to `q8` run that query's pipeline
// with the usual options (--source, --sink, --batch-interval, ...).
using Samples.Nexmark.Generator;

string usage = $"usage: Nexmark {GenerateCommand.Usage}\n       Nexmark q0|q1|q2|q3|q4|q5|q6|q7|q8 [--source URI] [--sink URI] [options of the run; --help lists them]";
if (args.Length == 0)
{
    Console.Error.WriteLine($"error: say what to do\n{usage}");
    return 2;
}

return args[0].ToLowerInvariant() switch
{
    "generate" => GenerateCommand.Run(args.AsSpan(1), Console.Out, Console.Error),
    "q0" => await Samples.Nexmark.Queries.Q0.RunAsync(args[1..]),
    "q1" => await Samples.Nexmark.Queries.Q1.RunAsync(args[1..]),
    "q2" => await Samples.Nexmark.Queries.Q2.RunAsync(args[1..]),
    "q3" => await Samples.Nexmark.Queries.Q3.RunAsync(args[1..]),
    "q4" => await Samples.Nexmark.Queries.Q4.RunAsync(args[1..]),
    "q5" => await Samples.Nexmark.Queries.Q5.RunAsync(args[1..]),
    "q6" => await Samples.Nexmark.Queries.Q6.RunAsync(args[1..]),
    "q7" => await Samples.Nexmark.Queries.Q7.RunAsync(args[1..]),
    "q8" => await Samples.Nexmark.Queries.Q8.RunAsync(args[1..]),
    "-h" or "--help" => Help(usage),
    _ => Unknown(args[0], usage),
};

static int Help(string usage)
{
    Console.WriteLine(usage);
    return 0;
}

static int Unknown(string command, string usage)
{
    Console.Error.WriteLine($"error: unknown command '{command}'; use generate or q0 to q8\n{usage}");
    return 2;
}
