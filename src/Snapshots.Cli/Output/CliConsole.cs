using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Cli.Api;
using Spectre.Console;

namespace Snapshots.Cli.Output;

/// <summary>What the commands print to: people get tables and progress bars, <c>--json</c> gets only the result.</summary>
public sealed class CliConsole(IAnsiConsole output, TextWriter error, bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public bool Json => json;

    public IAnsiConsole Output => output;

    public void Line(string text)
    {
        if (!json)
        {
            output.WriteLine(text);
        }
    }

    public void Result(JsonNode result, Action human)
    {
        if (json)
        {
            output.Profile.Out.Writer.WriteLine(result.ToJsonString(Indented));
        }
        else
        {
            human();
        }
    }

    /// <summary>One line on stderr, whatever the message holds, so scripts can read it.</summary>
    public void Error(string message) => error.WriteLine($"error: {OneLine(message)}");

    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Runs a long operation with a progress bar (none with <c>--json</c>).</summary>
    public async Task<T> WithProgressAsync<T>(string description, Func<IProgress<(string Stage, double Done, double Total)>, Task<T>> work)
    {
        if (json)
        {
            return await work(new Progress<(string, double, double)>(_ => { }));
        }

        return await output.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: 1);
                var reporter = new SynchronousProgress<(string Stage, double Done, double Total)>(update =>
                {
                    // Descriptions are markup; stages come from the service.
                    task.Description = Markup.Escape($"{description}: {update.Stage}");
                    task.MaxValue = Math.Max(update.Total, 1);
                    task.Value = Math.Min(update.Done, task.MaxValue);
                });
                var result = await work(reporter);
                task.Value = task.MaxValue;
                return result;
            });
    }

    public void Table(string title, IEnumerable<(string Name, string Value)> rows)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumn("").AddColumn("");
        table.HideHeaders();
        foreach (var (name, value) in rows)
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(value));
        }

        output.Write(table);
    }

    public static IProgress<OperationState> ForOperation(IProgress<(string Stage, double Done, double Total)> bar) =>
        new SynchronousProgress<OperationState>(state => bar.Report((state.Stage, state.Done, state.Total)));
}

/// <summary>Reports on the caller's thread (System.Progress posts to the thread pool, which reorders updates).</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
