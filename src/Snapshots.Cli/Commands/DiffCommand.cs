using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Snapshots.Cli.Commands;

/// <summary>snapshots diff: what changed between two snapshots, or since a snapshot in its project.</summary>
public static class DiffCommand
{
    public static Command Build(CommandRunner run)
    {
        var first = new Argument<string>("snapshotId");
        var second = new Argument<string?>("otherSnapshotId") { Arity = ArgumentArity.ZeroOrOne, Description = "The snapshot to compare with" };
        var project = new Option<bool>("--project") { Description = "Compare with the snapshot's project as it is now" };
        var names = new Option<int>("--names") { Description = "How many names to list per kind and change", DefaultValueFactory = _ => 5 };
        var command = new Command("diff", "Show what was added, removed and changed per kind between two snapshots, or since a snapshot") { first, second, project, names };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var other = parse.GetValue(second);
            if ((other is null) == !parse.GetValue(project))
            {
                throw new CliInputException("give either another snapshot id or --project");
            }

            var with = other ?? "project";
            var comparison = await context.Api.GetAsync(
                $"api/snapshots/{Uri.EscapeDataString(parse.GetValue(first)!)}/compare?with={Uri.EscapeDataString(with)}&names={parse.GetValue(names)}", cancellationToken);
            context.Console.Result(comparison, () => Print(context.Console, comparison, with));
        }));
        return command;
    }

    private static void Print(Output.CliConsole console, JsonObject comparison, string with)
    {
        var table = new Table().Title(Markup.Escape($"{comparison["snapshotId"]} → {(with == "project" ? "the project now" : with)}"))
            .AddColumn("kind").AddColumn(new TableColumn("added").RightAligned()).AddColumn(new TableColumn("removed").RightAligned())
            .AddColumn(new TableColumn("changed").RightAligned()).AddColumn("first names");
        foreach (var (kind, node) in comparison["kinds"]!.AsObject())
        {
            var counts = node!.AsObject();
            var firstNames = new[] { ("+", "addedNames"), ("-", "removedNames"), ("~", "changedNames") }
                .SelectMany(p => counts[p.Item2]!.AsArray().Select(n => $"{p.Item1}{n}"));
            table.AddRow(Markup.Escape(kind), counts["added"]!.ToString(), counts["removed"]!.ToString(), counts["changed"]!.ToString(), Markup.Escape(string.Join(", ", firstNames)));
        }

        console.Output.Write(table);
        console.Line(comparison["identical"]!.GetValue<bool>() ? "Identical." : "Differs.");
    }
}
